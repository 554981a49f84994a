{#-
    One row per workflow started in a session and not completed in that same session (product
    tracking source), with its status: in_progress while the session is open at the build's
    as_of (session_is_open: it may still complete), failed when an error event
    (is_error_event) follows the workflow's first start in the session, else abandoned.
    Incremental (session_ranges): the sessions this run rebuilds (int_sessions_this_run) are
    deleted and inserted again; they include the sessions whose openness the moving as_of may
    change (its clock ranges).
-#}
{{ config(materialized='incremental', incremental_strategy='session_ranges') }}

with

sessions_this_run as (
    select * from {{ ref('int_sessions_this_run') }}
),

sessionized_events as (
    select * from {{ ref('int_events_sessionized') }}
),

event_sessions as (
    -- The narrow table of each event's session: what as_of and the streams' last sessions read.
    select * from {{ ref('int_event_sessions') }}
),

build_moment as (
    select {{ build_as_of('event_sessions') }} as as_of
),

stream_last_sessions as (
    -- The last session of each stream with an event within the gap of as_of.
    {{ stream_last_sessions('event_sessions', '(select build_moment.as_of from build_moment)') }}
),

events as (
    -- The events of the sessions this run rebuilds (every one when built whole).
    select sessionized_events.* from sessionized_events
    {{ in_sessions_this_run('sessionized_events', 'sessions_this_run', stamp='_sessionized_at') }}
),

workflows as (
    select
        session_id,
        session_number,
        source,
        user_id,
        client_session_key,
        workflow_id,
        min(event_time) filter (where event_type = 'workflow_started') as started_at,
        min(event_number_in_session) filter (where event_type = 'workflow_started') as start_event_number,
        count(*) filter (where event_type = 'workflow_completed') as completions
    from events
    where workflow_id is not null
    group by session_id, session_number, source, user_id, client_session_key, workflow_id
),

unfinished as (
    select * from workflows
    where
        started_at is not null
        and completions = 0
),

session_facts as (
    -- The sessions with an unfinished workflow: their last event, whether an explicit end
    -- closed them, and their last error (in session order).
    select
        events.session_id,
        max(events.event_time) as end_time,
        {{ last_by(explicit_session_boundary('end', 'events.'), ['events.event_number_in_session']) }}
            as is_closed,
        max(events.event_number_in_session) filter (where {{ is_error_event('events.event_category') }})
            as last_error_event_number
    from events
    {{ semi_join() }} unfinished
        on events.session_id = unfinished.session_id
    group by events.session_id
),

abandoned as (
    select
        unfinished.session_id,
        unfinished.session_number,
        unfinished.source,
        unfinished.user_id,
        nullif(unfinished.client_session_key, '') as client_session_id,
        unfinished.workflow_id,
        unfinished.started_at,
        case
            when {{ session_is_open(
                'unfinished.session_number',
                'stream_last_sessions.last_session_number',
                'session_facts.end_time',
                'session_facts.is_closed',
                '(select build_moment.as_of from build_moment)',
                'unfinished.source',
            ) }} then 'in_progress'
            when session_facts.last_error_event_number > unfinished.start_event_number then 'failed'
            else 'abandoned'
        end as status
    from unfinished
    inner join session_facts
        on unfinished.session_id = session_facts.session_id
    left join stream_last_sessions
        on
            unfinished.source = stream_last_sessions.source
            and unfinished.user_id = stream_last_sessions.user_id
            and unfinished.client_session_key = stream_last_sessions.client_session_key
)

select * from abandoned
