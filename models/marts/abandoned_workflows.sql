{#-
    One row per workflow started in a session and not completed in that same session (product
    tracking source).
    Incremental (session_mart): the sessions of the recompute ranges not applied yet are
    deleted and rebuilt.
-#}
{{ config(materialized='session_mart') }}

with

recompute_ranges as (
    -- The recompute ranges this mart has not applied yet (every range on a full refresh).
    select * from {{ ref('int_session_recompute_ranges') }}
    where {{ since_watermark('_computed_at') }}
),

events as (
    -- The events of those sessions: sessionized again since the watermark.
    select * from {{ ref('int_events_sessionized') }}
    where {{ since_watermark('_sessionized_at') }} and workflow_id is not null
),

workflows as (
    select
        session_id,
        session_number,
        source,
        user_id,
        workflow_id,
        min(event_time) filter (where event_type = 'workflow_started') as started_at,
        count(*) filter (where event_type = 'workflow_completed') as completions
    from events
    group by session_id, session_number, source, user_id, workflow_id
),

abandoned as (
    select
        session_id,
        session_number,
        source,
        user_id,
        workflow_id,
        started_at
    from workflows
    where
        started_at is not null
        and completions = 0
        and {{ session_in_ranges(
            'recompute_ranges', 'workflows.source', 'workflows.user_id', 'workflows.session_number'
        ) }}
)

select * from abandoned
