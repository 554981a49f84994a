{#-
    Sessions still open at the var `as_of` (default: the latest event time in the data): the last
    event is within the source's inactivity gap of that moment and is not a session_end.
    A view: a filter over user_sessions, always in step with it.
-#}
{{ config(materialized='view') }}
{%- set as_of_expression = "max(end_time)" if var('as_of') is none
    else utc_timestamp("'" ~ var('as_of') ~ "'") %}

with

sessions as (
    select * from {{ ref('user_sessions') }}
),

reference_time as (
    select {{ as_of_expression }} as as_of
    from sessions
),

with_gap as (
    select
        sessions.*,
        reference_time.as_of,
        {{ source_inactivity_seconds('sessions.source') }} as inactivity_seconds
    from sessions
    cross join reference_time
),

active as (
    select
        session_id,
        source,
        user_id,
        client_session_id,
        session_number,
        start_time,
        end_time,
        event_count,
        as_of,
        {{ microseconds_as_seconds(epoch_microseconds('as_of') ~ ' - ' ~ epoch_microseconds('end_time')) }}
            as seconds_since_last_event
    from with_gap
    where
        not is_closed_by_session_end
        and end_time <= as_of
        and not {{ gap_exceeded('end_time', 'as_of', 'inactivity_seconds') }}
)

select * from active
