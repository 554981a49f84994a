{#-
    One row per source, UTC weekday and UTC hour with at least one event, over the whole
    history kept: sessions started, distinct active users and events in that weekday-hour.
    A view, not incremental: a distinct count of users over all history cannot be updated from
    the changed sessions alone, and nearly every run touches most of the 168 weekday-hours of a
    source. As a view it always describes the sessions as they are, a retention run included,
    and it reads three narrow columns of the events (docs/benchmarks.md gives its cost, paid
    once per build by its export and by each query).
-#}
{{ config(materialized='view') }}
with

-- The sessionized events, not the session_events view: its join to user_sessions (for the gap
-- before each session) is not needed here.
events as (
    select * from {{ ref('int_events_sessionized') }}
),

user_sessions as (
    select * from {{ ref('user_sessions') }}
),

event_hours as (
    select
        source,
        user_id,
        {{ utc_weekday('event_time') }} as utc_weekday,
        {{ utc_hour('event_time') }} as utc_hour
    from events
),

activity as (
    select
        source,
        utc_weekday,
        utc_hour,
        count(distinct user_id) as active_users,
        count(*) as events
    from event_hours
    group by source, utc_weekday, utc_hour
),

session_starts as (
    select
        source,
        {{ utc_weekday('start_time') }} as utc_weekday,
        {{ utc_hour('start_time') }} as utc_hour,
        count(*) as sessions_started
    from user_sessions
    group by source, {{ utc_weekday('start_time') }}, {{ utc_hour('start_time') }}
),

final as (
    -- A session starts with an event, so every weekday-hour with a start has activity.
    select
        activity.source,
        activity.utc_weekday,
        activity.utc_hour,
        coalesce(session_starts.sessions_started, 0) as sessions_started,
        activity.active_users,
        activity.events
    from activity
    left join session_starts
        on
            activity.source = session_starts.source
            and activity.utc_weekday = session_starts.utc_weekday
            and activity.utc_hour = session_starts.utc_hour
)

select * from final
