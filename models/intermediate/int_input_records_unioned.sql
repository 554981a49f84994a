{#-
    Every input record of every enabled source, as its base model read it: one row per line
    (JSON lines), array element (JSON arrays) or row (Parquet), with its file, position, raw text
    and rejection reason (null when it was staged). The one union of the base models, which the
    quarantine, the file manifest, the run metrics and the reconciliation read.
    A view: its readers filter it on `source` and `_loaded_at`, which DuckDB pushes into each
    base model's scan.
-#}
{{ config(materialized='view') }}
{%- set registry = sessions.source_registry() -%}

with

{% for source_name in sessions.enabled_sources() %}
{{ source_name }}_records as (
    select * from {{ ref(registry[source_name].base_model) }}
),

{% endfor %}
unioned as (
    {%- for source_name in sessions.enabled_sources() %}
    select
        '{{ source_name }}' as source,
        file_name,
        line_number,
        raw_line,
        is_blank,
        rejection_reason,
        _file_size,
        _file_modified_us,
        _line_end_byte,
        _loaded_at
    from {{ source_name }}_records
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from unioned
