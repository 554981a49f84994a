{#-
    Every canonical event with its session. Sessions are computed per (source, user_id) with the
    source's own inactivity gap; for the product tracking source an explicit session_start opens a
    session and an event after a session_end opens a new one.
-#}
with

events as (
    select
        *,
        {{ source_inactivity_seconds('source') }} as inactivity_seconds
    from {{ ref('int_events_unioned') }}
),

sessionized as (
    {{ sessionize(
        relation='events',
        partition_by=['source', 'user_id'],
        event_time='event_time',
        event_id='event_id',
        tiebreakers=['event_sort_rank'],
        inactivity_seconds='inactivity_seconds',
        starts_session_expression="(source = 'app' and event_type = 'session_start')",
        ends_session_expression="(source = 'app' and event_type = 'session_end')",
    ) }}
)

select * from sessionized
