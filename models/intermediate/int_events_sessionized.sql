{#-
    Every canonical event with its session. Sessions are computed per (source, user_id), user_id
    after identity stitching, with the source's own inactivity gap; for the product tracking
    source an explicit session_start opens a session and an event after a session_end opens a
    new one.

    Incremental: only the ranges of int_session_recompute_ranges not applied yet are
    sessionized again (each affected user's events from the first event of the session containing
    or preceding their earliest change), and replace the rows of the same events. The result is
    the same as sessionizing everything: earlier sessions cannot change, and session numbers
    continue after the range's offset.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['source', 'event_id'],
) }}
-- depends_on: {{ ref('int_session_recompute_ranges') }}

with

events as (
    {{ stitched_events() }}
),

{% if is_incremental() %}
new_ranges as (
    -- Ranges not applied yet (normally this run's; more when an earlier run failed after
    -- computing them). Several ranges of one user: the earliest start covers the others.
    select * from {{ ref('int_session_recompute_ranges') }}
    where _computed_at > (
        select coalesce(max(_sessionized_at), cast('-infinity' as timestamp with time zone))
        from {{ this }}
    )
    qualify row_number() over (
        partition by source, user_id
        order by from_event_id is not null, from_event_time, from_event_sort_rank, from_event_id
    ) = 1
),

events_in_ranges as (
    select
        events.*,
        new_ranges.session_number_offset,
        {{ source_inactivity_seconds('events.source') }} as inactivity_seconds
    from events
    inner join new_ranges
        on
            events.source = new_ranges.source
            and events.user_id = new_ranges.user_id
    where
        new_ranges.from_event_id is null
        or (events.event_time, events.event_sort_rank, events.event_id)
        >= (new_ranges.from_event_time, new_ranges.from_event_sort_rank, new_ranges.from_event_id)
),
{% else %}
events_in_ranges as (
    select
        events.*,
        0 as session_number_offset,
        {{ source_inactivity_seconds('events.source') }} as inactivity_seconds
    from events
),
{% endif %}

sessionized as (
    {{ sessionize(
        relation='events_in_ranges',
        partition_by=['source', 'user_id'],
        event_time='event_time',
        event_id='event_id',
        tiebreakers=['event_sort_rank'],
        inactivity_seconds='inactivity_seconds',
        starts_session_expression="(source = 'app' and event_type = 'session_start')",
        ends_session_expression="(source = 'app' and event_type = 'session_end')",
    ) }}
),

numbered as (
    select
        sessionized.* exclude (
            session_number, session_number_offset, previous_event_time, seconds_since_previous_event
        ),
        sessionized.session_number + sessionized.session_number_offset as session_number,
        -- Within the session only: the same whether or not earlier sessions were recomputed.
        case when not sessionized.is_new_session then sessionized.previous_event_time end
            as previous_event_time,
        case when not sessionized.is_new_session then sessionized.seconds_since_previous_event end
            as seconds_since_previous_event,
        {%- if is_incremental() %}
        previous.session_id as previous_session_id,
        {%- else %}
        cast(null as varchar) as previous_session_id,
        {%- endif %}
        {{ load_timestamp() }} as _sessionized_at
    from sessionized
    {%- if is_incremental() %}
    left join {{ this }} as previous
        on
            sessionized.source = previous.source
            and sessionized.event_id = previous.event_id
    {%- endif %}
)

select * from numbered
