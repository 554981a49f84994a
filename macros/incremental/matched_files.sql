{#- The files the source's path or glob matches now, in order (a list of paths). -#}
{% macro matched_files(path_expression, var_name) -%}
    {{ return(adapter.dispatch('matched_files', 'sessions')(path_expression, var_name)) }}
{%- endmacro %}

{% macro duckdb__matched_files(path_expression, var_name) -%}
    {%- set matched = run_query("select file from glob(" ~ path_expression ~ ") order by file") -%}
    {{ return(matched.columns[0].values() | list) }}
{%- endmacro %}

{#- Spark: its binaryFile source lists the files without reading them (no content column). -#}
{% macro spark__matched_files(path_expression, var_name) -%}
    {%- set listed = run_query(
        "select " ~ sessions.spark_file_name('path') ~ " from (" ~ sessions.spark_file_listing(var_name) ~ ") order by 1"
    ) -%}
    {{ return(listed.columns[0].values() | list) }}
{%- endmacro %}
