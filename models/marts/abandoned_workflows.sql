{#-
    One row per workflow started in a session and not completed in that same session (product
    tracking source).
    Incremental: the sessions changed since the last run (those in each affected user's
    recompute range) are deleted and rebuilt.
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
    where
        {{ resessionized_since_watermark('sessionized._sessionized_at') }}
        and sessionized.workflow_id is not null
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
    where started_at is not null and completions = 0
)

select * from abandoned
