{#-
    The latest value of a timestamp column of a relation (optionally among the rows matching
    `where`), read when the model runs and returned as a timestamptz literal ('-infinity' when
    the relation has no such rows, and while dbt parses). A literal rather than a subquery, so
    that a filter `column > literal` reaches the table scan and DuckDB skips every row group
    whose zone map ends before it: the append-only tables then read only their newest rows.
    (A query of its own: a model that calls it is tested by pytest on real tables, not by a
    dbt unit test with fixtures.)
-#}
{% macro latest_timestamp(relation, column, where='true') -%}
    {%- set infinity = sessions.minus_infinity_timestamp() -%}
    {%- if not execute -%}
        {{ return(infinity) }}
    {%- endif -%}
    {%- set result = run_query(
        "select cast(max(" ~ column ~ ") as " ~ dbt.type_string() ~ ") from " ~ relation ~ " where " ~ where
    ) -%}
    {%- set latest = result.columns[0].values()[0] -%}
    {%- if latest is none -%}
        {{ return(infinity) }}
    {%- endif -%}
    {{ return(sessions.timestamp_literal(latest)) }}
{%- endmacro %}
