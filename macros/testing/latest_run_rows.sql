{#-
    A condition selecting the rows of `relation` that the latest run wrote: those whose `column`
    (a time every run stamps on the rows it writes, e.g. `_loaded_at`) is at its latest value.
    `true` (every row) when the var test_whole_history is true, and when the table does not
    exist yet (e.g. `dbt compile` before the first build), and when every row carries one time
    (after a full refresh, or a first build): a test then checks the table as a whole, without
    a filter that selects every row. The time is a literal read when the test runs, so DuckDB
    skips the row groups of older runs.
-#}
{% macro latest_run_rows(relation, column) -%}
    {%- if var('test_whole_history') or not execute -%}
        {{ return('true') }}
    {%- endif -%}
    {%- if relation is not string and load_relation(relation) is none -%}
        {{ return('true') }}
    {%- endif -%}
    {%- set stamps = run_query(
        "select cast(min(" ~ column ~ ") as " ~ dbt.type_string() ~ "), cast(max(" ~ column
        ~ ") as " ~ dbt.type_string() ~ ") from " ~ relation
    ).rows[0] -%}
    {%- if stamps[1] is none or stamps[0] == stamps[1] -%}
        {{ return('true') }}
    {%- endif -%}
    {{ return(column ~ " >= " ~ sessions.timestamp_literal(stamps[1])) }}
{%- endmacro %}
