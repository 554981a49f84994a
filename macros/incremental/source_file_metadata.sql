{#-
    Name, size and modification time of every file matched by an enabled source's path var
    (DuckDB reads only the file system's metadata, not the content): one row per source and file.
-#}
{% macro source_file_metadata() -%}
    {%- for source_name in sessions.enabled_sources() %}
    select
        '{{ source_name }}' as source,
        filename as file_name,
        size as file_size,
        last_modified as file_modified_at
    from read_blob({{ source(source_name, sessions.source_files_table(source_name)) }})
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
