{#-
    One row per event, with its session and the time since the previous event of the session.
    Incremental: the sessions changed since the last run (those after each affected user's
    recompute offset) are deleted and rebuilt.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_affected_sessions() }}",
    post_hook="{{ record_mart_watermark() }}",
) }}
-- depends_on: {{ ref('int_session_recompute_ranges') }}

with

events as (
    select sessionized.* from {{ ref('int_events_sessionized') }} as sessionized
    where {{ resessionized_since_watermark('sessionized._sessionized_at') }}
),

session_events as (
    select
        source,
        event_id,
        session_id,
        session_number,
        user_id,
        anonymous_id,
        event_time,
        event_name,
        event_category,
        page,
        row_number() over (
            partition by session_id
            order by event_time, event_sort_rank, event_id
        ) as event_number_in_session,
        case when not is_new_session then seconds_since_previous_event end
            as seconds_since_previous_event,
        properties
    from events
)

select * from session_events
