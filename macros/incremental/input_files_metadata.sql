{#-
    A query of the files of `input` (a source standing for the files its path var `path_var`
    matches), without reading their content: filename, size (bytes), last_modified.
-#}
{% macro input_files_metadata(input, path_var) -%}
    {{ return(adapter.dispatch('input_files_metadata', 'sessions')(input, path_var)) }}
{%- endmacro %}

{% macro duckdb__input_files_metadata(input, path_var) -%}
    -- Only metadata columns: DuckDB then lists and stats the files without reading them.
    select
        filename,
        size,
        last_modified
    from read_blob({{ input }})
{%- endmacro %}

{% macro spark__input_files_metadata(input, path_var) -%}
    select
        {{ sessions.spark_file_name('path') }} as filename,
        length as size,
        -- At whole seconds, as DuckDB's read_blob gives it.
        date_trunc('second', modificationTime) as last_modified
    from ({{ sessions.spark_file_listing(path_var) }}) as listed
{%- endmacro %}
