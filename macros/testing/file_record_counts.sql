{#-
    The records in each input file of a source now, recounted from the file itself, not by the
    reader the base models use (the reconciliation test every_input_record_is_accounted_for):
    one row (source, file_name, records_in_file) per file of `files` (a list of file names), or
    per file its path var matches (files none). JSON: the elements of a file whose first
    character (after byte-order marks and white space) is '[' (1 when it is not a valid JSON
    array), else its complete lines (newline bytes: a last line without its newline is not a
    record yet, it waits for a later load); Parquet: its rows.
-#}
{% macro file_record_counts(source_name, files) -%}
    {{ return(adapter.dispatch('file_record_counts', 'sessions')(source_name, files)) }}
{%- endmacro %}

{% macro duckdb__file_record_counts(source_name, files) -%}
    {%- set entry = sessions.source_entry(source_name) -%}
    {%- set file_list = source(source_name, entry.files_table) if files is none else sessions.sql_string_list(files) -%}
    {%- if entry.file_format == 'parquet' %}
    select
        '{{ source_name }}' as source,
        filename as file_name,
        count(*) as records_in_file
    from read_parquet({{ file_list }}, filename = true)
    group by filename
    {%- else %}
    select
        '{{ source_name }}' as source,
        filename as file_name,
        case
            -- A JSON array file: its elements.
            when starts_with(ltrim(try(decode(content)), chr(65279) || ' ' || chr(9) || chr(10) || chr(13)), '[')
                then coalesce(json_array_length(try_cast(ltrim(try(decode(content)), chr(65279)) as json)), 1)
            -- JSON lines: newline bytes (complete lines).
            else (strlen(cast(content as varchar)) - strlen(replace(cast(content as varchar), '\x0A', ''))) // 4
        end as records_in_file
    from read_blob({{ file_list }})
    {%- endif %}
{%- endmacro %}

{#- Spark: each file's bytes (binaryFile), or its Parquet rows. -#}
{% macro spark__file_record_counts(source_name, files) -%}
    {%- set entry = sessions.source_entry(source_name) -%}
    {%- set path = var(entry.path_var) | replace('`', '``') -%}
    select
        '{{ source_name }}' as source,
        file_name,
        records_in_file
    from (
        {%- if entry.file_format == 'parquet' %}
        select
            {{ sessions.spark_file_name('_metadata.file_path') }} as file_name,
            count(*) as records_in_file
        from parquet.`{{ path }}`
        group by 1
        {%- else %}
        select
            {{ sessions.spark_file_name('path') }} as file_name,
            case
                -- A JSON array file: its elements.
                when startswith(regexp_replace(left(cast(content as string), 65536), '^[\\x{FEFF} \\t\\n\\r]+', ''), '[')
                    then coalesce(json_array_length(regexp_replace(cast(content as string), '^(\\x{FEFF})+', '')), 1)
                -- JSON lines: newline bytes (complete lines).
                else octet_length(content) - octet_length(replace(cast(content as string), '\n', ''))
            end as records_in_file
        from binaryFile.`{{ path }}`
        {%- endif %}
    ) as counted
    {%- if files is not none %}
    where file_name in ({% for file in files %}'{{ file | replace("'", "\\'") }}'{{ ', ' if not loop.last }}{% endfor %})
    {%- endif %}
{%- endmacro %}
