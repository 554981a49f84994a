{#-
    One row per event, with its session and the time since the previous event of the session.
    A view: int_events_sessionized already gives every column (the sessions of
    int_event_sessions, maintained incrementally, with the events' attributes), so a copy of
    the whole event stream would only double the storage and the rows each incremental run
    rewrites.
    seconds_since_previous_session (on a session's first event) is read from user_sessions: the
    previous event of the stream (source, user, client session) is the previous session's last
    one. Computed at read time, it is exact after any run: an incremental run's ranges restart
    at a session whose previous session lies outside them.
-#}
{{ config(materialized='view') }}

with

events as (
    select * from {{ ref('int_events_sessionized') }}
),

sessions as (
    select * from {{ ref('user_sessions') }}
),

session_gaps as (
    -- Per session: the time from the stream's previous session's last event to its first event.
    select
        session_id,
        start_time,
        lag(end_time) over (
            partition by source, user_id, client_session_id
            order by session_number
        ) as previous_session_end_time
    from sessions
),

session_events as (
    select
        events.source,
        events.event_id,
        events.session_id,
        events.session_number,
        events.user_id,
        events.client_session_id,
        events.anonymous_id,
        events.event_time,
        events.event_name,
        events.event_category,
        events.page,
        events.event_number_in_session,
        case when not events.is_new_session then events.seconds_since_previous_event end
            as seconds_since_previous_event,
        events.properties,
        case
            when events.is_new_session
                then {{ microseconds_as_seconds(
                    epoch_microseconds('session_gaps.start_time') ~ ' - '
                    ~ epoch_microseconds('session_gaps.previous_session_end_time')
                ) }}
        end as seconds_since_previous_session
    from events
    left join session_gaps
        on events.session_id = session_gaps.session_id
)

select * from session_events
