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

with

event_categories as (
    select * from {{ ref('event_categories') }}
),

{% if 'chat' in enabled_sources %}
chat_events as (
    select
        {{ canonical_event_select({
            'source': "'chat'",
            'event_id': 'event_id',
            'user_id': 'user_id',
            'event_time': 'event_time',
            'event_name': 'event_name',
            'event_type': 'event_name',
            'channel_id': 'channel_id',
            'file_name': 'file_name',
            'line_number': 'line_number',
            '_loaded_at': '_loaded_at',
        }) }}
    from {{ ref('stg_chat__messages') }}
),
{% endif %}

{% if 'segment' in enabled_sources %}
segment_events as (
    select
        {{ canonical_event_select({
            'source': "'segment'",
            'event_id': 'events.event_id',
            'user_id': 'events.user_id',
            'anonymous_id': 'events.anonymous_id',
            'event_time': 'events.event_time',
            'event_name': 'events.event_name',
            'event_type': 'events.event_type',
            'page': 'events.page',
            'referrer': 'events.referrer',
            'campaign': 'events.campaign',
            'device_type': 'events.device_type',
            'browser': 'events.browser',
            'os': 'events.os',
            'screen_size': 'events.screen_size',
            'properties': 'events.properties',
            'file_name': 'events.file_name',
            'line_number': 'events.line_number',
            '_loaded_at': 'events._loaded_at',
        }) }}
    from {{ ref('stg_segment__events') }} as events
),
{% endif %}

{% if 'mooc' in enabled_sources %}
mooc_events as (
    select
        {{ canonical_event_select({
            'source': "'mooc'",
            'event_id': 'event_id',
            'user_id': 'user_id',
            'event_time': 'event_time',
            'event_name': "'interaction'",
            'event_type': "'interaction'",
            'item_id': 'item_id',
            'properties': "json_object('watch_percentage', watch_percentage, 'rating', rating)",
            'file_name': 'file_name',
            'line_number': 'line_number',
            '_loaded_at': '_loaded_at',
        }) }}
    from {{ ref('stg_mooc__interactions') }}
),
{% endif %}

{% if 'app' in enabled_sources %}
app_events as (
    select
        {{ canonical_event_select({
            'source': "'app'",
            'event_id': 'event_id',
            'user_id': 'user_id',
            'event_time': 'event_time',
            'event_name': 'event_type',
            'event_type': 'event_type',
            'page': 'page',
            'referrer': 'referrer',
            'campaign': 'campaign',
            'device_type': 'device_type',
            'browser': 'browser',
            'os': 'os',
            'screen_size': 'screen_size',
            'workflow_id': 'workflow_id',
            'session_end_reason': 'reason',
            'properties': "json_object('action', action_name, 'details', details)",
            'file_name': 'file_name',
            'line_number': 'line_number',
            '_loaded_at': '_loaded_at',
        }) }}
    from {{ ref('stg_app__events') }}
),
{% endif %}

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
            when unioned.source = 'app' and unioned.event_type = 'session_start' then 0
            when unioned.source = 'app' and unioned.event_type = 'session_end' then 2
            else 1
        end as event_sort_rank
    from unioned
    left join event_categories
        on
            unioned.source = event_categories.source
            and unioned.event_type = event_categories.event_type
)

select * from categorized
