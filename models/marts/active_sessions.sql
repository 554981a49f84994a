{#-
    Sessions still open at the build's as_of (build_as_of: the var `as_of`, default the latest
    event time in the data): the rows of user_sessions with is_open (session_is_open).
    A view: a filter over user_sessions, always in step with it.
-#}
{{ config(materialized='view') }}

with

sessions as (
    select * from {{ ref('user_sessions') }}
),

build_moment as (
    select {{ build_as_of() }} as as_of
),

active as (
    select
        sessions.session_id,
        sessions.source,
        sessions.user_id,
        sessions.client_session_id,
        sessions.session_number,
        sessions.start_time,
        sessions.end_time,
        sessions.event_count,
        build_moment.as_of,
        {{ microseconds_as_seconds(
            epoch_microseconds('build_moment.as_of') ~ ' - ' ~ epoch_microseconds('sessions.end_time')
        ) }} as seconds_since_last_event
    from sessions
    cross join build_moment
    where sessions.is_open
)

select * from active
