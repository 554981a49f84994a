{#-
    Every canonical event with its attributes and its session (grain: one row per event): the
    sessions of int_event_sessions with the events' other columns from int_events_stitched.
    A view: storing every event's attributes a second time is what made the sessionization
    slow to write; a reader filtered on sessions (in_sessions_this_run) has the filter pushed
    into int_event_sessions, and joins only those events' attributes.
    The user, client session, time and load stamp are the session's (int_event_sessions): an
    event whose stitched user changes keeps its session until the run that moves it.
-#}
{{ config(materialized='view') }}

with

event_sessions as (
    select * from {{ ref('int_event_sessions') }}
),

stitched_events as (
    select * from {{ ref('int_events_stitched') }}
),

events_with_sessions as (
    select
        {%- for column in stitched_event_columns() if column not in event_session_keys() %}
        stitched_events.{{ column }},
        {%- endfor %}
        event_sessions.*
    from event_sessions
    inner join stitched_events
        on
            event_sessions.source = stitched_events.source
            and event_sessions.event_id = stitched_events.event_id
)

select * from events_with_sessions
