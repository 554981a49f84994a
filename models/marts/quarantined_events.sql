{#-
    Every input record that could not be used, with where it came from and why: nothing is
    dropped silently. One row per rejected line (JSON lines), array element (JSON arrays) or row
    (Parquet). Incremental: appends each source's records loaded since its last appended load.
-#}
{{ config(materialized='incremental', incremental_strategy='append') }}

with

{% for source_name in sessions.enabled_sources() %}
{{ source_name }}_rejected as (
    select
        '{{ source_name }}' as source,
        file_name,
        line_number,
        -- A record too large to parse is kept up to the size limit.
        left(raw_line, {{ var('max_record_bytes') }}) as raw_line,
        rejection_reason,
        _loaded_at
    from {{ ref(base_model_name(source_name)) }}
    where
        rejection_reason is not null
        and {{ pending_rows_filter('_loaded_at', "source = '" ~ source_name ~ "'") }}
),
{% endfor %}

rejected as (
    {%- for source_name in sessions.enabled_sources() %}
    select * from {{ source_name }}_rejected
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from rejected
