{#-
    One row per workflow started in a session and not completed in that same session (product
    tracking source).
-#}
with

events as (
    select * from {{ ref('int_events_sessionized') }}
    where workflow_id is not null
),

workflows as (
    select
        session_id,
        source,
        user_id,
        workflow_id,
        min(event_time) filter (where event_type = 'workflow_started') as started_at,
        count(*) filter (where event_type = 'workflow_completed') as completions
    from events
    group by session_id, source, user_id, workflow_id
),

abandoned as (
    select
        session_id,
        source,
        user_id,
        workflow_id,
        started_at
    from workflows
    where started_at is not null and completions = 0
)

select * from abandoned
