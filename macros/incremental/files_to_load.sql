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
