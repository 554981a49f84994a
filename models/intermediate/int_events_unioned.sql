{#-
    The canonical event stream: one row per unique event of every enabled source, projected onto
    the same columns (see the canonical_event_columns macro), with the event's category. user_id
    is the identity the event was sent with (null for anonymous Segment events): identity
    stitching is applied when sessions are computed.
    A view: storing the stream would write every event once more. Its readers filter it on
    _loaded_at (the load that staged each event), which DuckDB pushes into the staging tables'
    scans, so an incremental run reads only the newest row groups of each.
-#}
{{ config(materialized='view') }}
{%- set enabled_sources = sessions.enabled_sources() -%}
{%- set registry = sessions.source_registry() -%}

with

event_categories as (
    select * from {{ ref('event_categories') }}
),

{% for source_name in enabled_sources %}
{{ source_name }}_staged as (
    select * from {{ ref(registry[source_name].staging_model) }}
),

{% endfor %}
{%- for source_name in enabled_sources %}
{{ source_name }}_events as (
    -- The source's columns as the registry maps them onto the canonical ones.
    {%- set expressions = {'source': "'" ~ source_name ~ "'"} %}
    {%- do expressions.update(registry[source_name].canonical_columns) %}
    select
        {{- canonical_event_select(expressions) }}
    from {{ source_name }}_staged
),

{% endfor %}
unioned as (
    {%- for source_name in enabled_sources %}
    select * from {{ source_name }}_events
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

categorized as (
    select
        unioned.*,
        coalesce(event_categories.event_category, 'other') as event_category,
        coalesce(event_categories.is_message, false) as is_message,
        -- Orders events at the same instant: an explicit start first, an explicit end last.
        case
            when {{ explicit_session_boundary('start', 'unioned.') }} then 0
            when {{ explicit_session_boundary('end', 'unioned.') }} then 2
            else 1
        end as event_sort_rank
    from unioned
    left join event_categories
        on
            unioned.source = event_categories.source
            and unioned.event_type = event_categories.event_type
)

select * from categorized
