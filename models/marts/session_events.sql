{#-
    One row per event, with its session and the time since the previous event of the session.
    A view: int_events_sessionized already holds every column (and is maintained incrementally),
    so a second copy of the whole event stream would only double the storage and the rows each
    incremental run rewrites. Reads are a projection of that table.
-#}
{{ config(materialized='view') }}

with

events as (
    select * from {{ ref('int_events_sessionized') }}
),

session_events as (
    select
        source,
        event_id,
        session_id,
        session_number,
        user_id,
        client_session_id,
        anonymous_id,
        event_time,
        event_name,
        event_category,
        page,
        event_number_in_session,
        case when not is_new_session then seconds_since_previous_event end
            as seconds_since_previous_event,
        properties
    from events
)

select * from session_events
