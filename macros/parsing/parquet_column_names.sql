{#- The column names found in the given Parquet files (empty while dbt parses or without files). -#}
{% macro parquet_column_names(files) -%}
    {%- if not execute or files | length == 0 -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set schema = run_query("select distinct name from parquet_schema(" ~ sessions.sql_string_list(files) ~ ")") -%}
    {{ return(schema.columns[0].values() | list) }}
{%- endmacro %}
