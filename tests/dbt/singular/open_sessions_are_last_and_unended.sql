{#-
    A session open at the build's as_of (user_sessions.is_open; the as_of user_sessions
    recorded in int_incremental_manifest) is the last session of its
    stream, was not closed by a session_end, has no exit_reason yet and ended at or before
    as_of; and an unfinished workflow is in_progress exactly when its session is open.
-#}
with

sessions as (
    select * from {{ ref('user_sessions') }}
),

workflows as (
    select * from {{ ref('abandoned_workflows') }}
),

manifest as (
    select * from {{ ref('int_incremental_manifest') }}
),

build_moment as (
    -- The as_of user_sessions was built at (a later command may set another as_of var).
    select as_of from manifest
    where model_name = 'user_sessions'
),

stream_last_sessions as (
    select
        source,
        user_id,
        coalesce(client_session_id, '') as client_session_key,
        max(session_number) as last_session_number
    from sessions
    group by source, user_id, coalesce(client_session_id, '')
),

open_sessions_wrong as (
    select sessions.session_id
    from sessions
    cross join build_moment
    inner join stream_last_sessions
        on
            sessions.source = stream_last_sessions.source
            and sessions.user_id = stream_last_sessions.user_id
            and coalesce(sessions.client_session_id, '') = stream_last_sessions.client_session_key
    where
        sessions.is_open
        and (
            sessions.exit_reason is not null
            or sessions.is_closed_by_session_end
            or sessions.end_time > build_moment.as_of
            or sessions.session_number <> stream_last_sessions.last_session_number
        )
),

workflows_wrong as (
    select workflows.session_id
    from workflows
    inner join sessions
        on workflows.session_id = sessions.session_id
    where (workflows.status = 'in_progress') <> sessions.is_open
)

select * from open_sessions_wrong
union all
select * from workflows_wrong
