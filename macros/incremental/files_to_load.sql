{#-
    The input files a base model reads in this run: every file matched by `path_expression` (the
    source's quoted path or glob) on a full refresh, and only the files not loaded before on an
    incremental run (files are remembered by name in the model's own table; the landing folder
    only grows). Fails with a clear message naming `var_name` when the path matches no file.
    Returns a list of paths (empty while dbt parses).
-#}
{% macro files_to_load(path_expression, var_name) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set all_files = sessions.matched_files(path_expression, var_name) -%}
    {%- if all_files | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "The var " ~ var_name ~ " = " ~ path_expression ~ " matches no file. Point it at your "
            ~ "input files (a path or a glob, relative to the project directory), or switch the "
            ~ "source off with " ~ var_name.split('_')[0] ~ "_enabled: false."
        ) }}
    {%- endif -%}
    {#- The project's is_incremental() covers its own incremental materializations too. -#}
    {%- if not is_incremental() -%}
        {{ return(all_files) }}
    {%- endif -%}
    {%- set loaded = run_query("select distinct file_name from " ~ this) -%}
    {%- set loaded_names = loaded.columns[0].values() | list -%}
    {%- set new_files = [] -%}
    {%- for file in all_files if file not in loaded_names -%}
        {%- do new_files.append(file) -%}
    {%- endfor -%}
    {{ return(new_files) }}
{%- endmacro %}


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

{#-
    Spark: the files the path var `var_name` matches, as binaryFile rows (path, length,
    modificationTime; the content is read only when selected). A path that matches nothing is
    no error here, so that the callers' messages name the var.
-#}
{% macro spark_file_listing(var_name) -%}
    select path, length, modificationTime
    from binaryFile.`{{ var(var_name) | replace('`', '``') }}`
{%- endmacro %}

{#-
    Spark: a file's name as the project shows it: a local file as its path (Spark's `file:`
    URI prefix removed), any other file system's URI (s3a://, hdfs://) as is.
-#}
{% macro spark_file_name(uri_expression) -%}
    regexp_replace({{ uri_expression }}, '^file:/+', '/')
{%- endmacro %}


{#-
    A query of the files of `input` (a source standing for the files its path var `path_var`
    matches), without reading their content: filename, size (bytes), last_modified.
-#}
{% macro input_files_metadata(input, path_var) -%}
    {{ return(adapter.dispatch('input_files_metadata', 'sessions')(input, path_var)) }}
{%- endmacro %}

{% macro duckdb__input_files_metadata(input, path_var) -%}
    select * from read_blob({{ input }})
{%- endmacro %}

{% macro spark__input_files_metadata(input, path_var) -%}
    select
        {{ sessions.spark_file_name('path') }} as filename,
        length as size,
        -- At whole seconds, as DuckDB's read_blob gives it.
        date_trunc('second', modificationTime) as last_modified
    from ({{ sessions.spark_file_listing(path_var) }}) as listed
{%- endmacro %}
