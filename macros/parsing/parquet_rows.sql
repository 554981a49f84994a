{#-
    The rows of the Parquet files `files` (the source's files this run loads; path_var names the
    var that matched them): filename, file_row_number (0-based, within its file) and the
    columns `columns`, each null where a file lacks it (the files' schemas are unified by name).
-#}
{% macro parquet_rows(files, path_var, columns) -%}
    {{ return(adapter.dispatch('parquet_rows', 'sessions')(files, path_var, columns)) }}
{%- endmacro %}

{% macro duckdb__parquet_rows(files, path_var, columns) -%}
    {%- set present_columns = sessions.parquet_column_names(files) -%}
    select
        filename,
        file_row_number,
        {%- for column in columns %}
        {{ column if column in present_columns else 'null' }} as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from
        read_parquet(
            {{ sessions.sql_string_list(files) }},
            filename = true,
            file_row_number = true,
            union_by_name = true
        )
{%- endmacro %}

{#-
    Spark: each file read on its own and the rows put together by column name (Spark's
    mergeSchema fails on a column typed differently in two files, e.g. integer ids in one and
    text ids in another: read_parquet gives text). The id columns are read as text; any other
    column keeps its type (numbers widen to the wider type across files).
-#}
{% macro spark__parquet_rows(files, path_var, columns) -%}
    {%- for file in files %}
    {%- set relation = "parquet.`" ~ (file | replace('`', '``')) ~ "`" %}
    {%- set present_columns = run_query("select * from " ~ relation ~ " limit 0").column_names | list %}
    select
        {{ sessions.spark_file_name('_metadata.file_path') }} as filename,
        _metadata.row_index as file_row_number,
        {%- for column in columns %}
        {%- if column not in present_columns %}
        null as {{ column }}
        {%- elif column.endswith('_id') %}
        cast({{ column }} as string) as {{ column }}
        {%- else %}
        {{ column }}
        {%- endif %}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
