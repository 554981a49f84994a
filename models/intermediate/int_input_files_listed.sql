{#-
    The input files on disk now: one row per enabled source and file its path var matches, with
    the file's size and modification time (DuckDB reads the file system's metadata, not the
    content). loaded_files records them at load; loaded_files_unchanged compares them later.
    Ephemeral: listed when a reader runs, never stored.
-#}
{{ config(materialized='ephemeral') }}
{%- set registry = sessions.source_registry() -%}

with

{% for source_name in sessions.enabled_sources() %}
{{ source_name }}_files as (
    {{ input_files_metadata(source(source_name, registry[source_name].files_table), registry[source_name].path_var) }}
),

{% endfor %}
listed as (
    {%- for source_name in sessions.enabled_sources() %}
    select
        '{{ source_name }}' as source,
        filename as file_name,
        size as file_size,
        last_modified as file_modified_at
    from {{ source_name }}_files
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from listed
