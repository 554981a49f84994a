{#-
    A condition selecting the rows of `relation` that the latest run wrote: those whose `column`
    (a time every run stamps on the rows it writes, e.g. `_loaded_at`) is at its latest value.
    `true` (every row) when the var test_whole_history is true, and when the table does not
    exist yet (e.g. `dbt compile` before the first build). A full refresh stamps every row with
    one time, so after it this is every row. The time is a literal read when the test runs
    (latest_timestamp), so DuckDB skips the row groups of older runs.
-#}
{% macro latest_run_rows(relation, column) -%}
    {%- if var('test_whole_history') or not execute -%}
        {{ return('true') }}
    {%- endif -%}
    {%- if relation is not string and load_relation(relation) is none -%}
        {{ return('true') }}
    {%- endif -%}
    {{ return(column ~ ' >= ' ~ sessions.latest_timestamp(relation, column)) }}
{%- endmacro %}
