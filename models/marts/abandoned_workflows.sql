{#-
    One row per workflow started in a session and not completed in that same session (product
    tracking source).
    Incremental (session_ranges): the sessions this run rebuilds (int_sessions_this_run) are
    deleted and inserted again.
-#}
{{ config(materialized='incremental', incremental_strategy='session_ranges') }}

with

sessions_this_run as (
    select * from {{ ref('int_sessions_this_run') }}
),

sessionized_events as (
    select * from {{ ref('int_events_sessionized') }}
),

events as (
    -- The workflow events of the sessions this run rebuilds (every one when built whole).
    select sessionized_events.* from sessionized_events
    {{ in_sessions_this_run('sessionized_events', 'sessions_this_run', stamp='_sessionized_at') }}
    where sessionized_events.workflow_id is not null
),

workflows as (
    select
        session_id,
        session_number,
        source,
        user_id,
        nullif(client_session_key, '') as client_session_id,
        workflow_id,
        min(event_time) filter (where event_type = 'workflow_started') as started_at,
        count(*) filter (where event_type = 'workflow_completed') as completions
    from events
    group by session_id, session_number, source, user_id, client_session_key, workflow_id
),

abandoned as (
    select
        session_id,
        session_number,
        source,
        user_id,
        client_session_id,
        workflow_id,
        started_at
    from workflows
    where
        started_at is not null
        and completions = 0
)

select * from abandoned
