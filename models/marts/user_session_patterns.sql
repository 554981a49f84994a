{#-
    One row per user and source: the tracking spec's pattern over the user's latest sessions
    (var `pattern_session_window`, default 20).
    Incremental (session_ranges): the users of the sessions this run rebuilds
    (int_sessions_this_run) are deleted and inserted again.
-#}
{{ config(materialized='incremental', incremental_strategy='session_ranges', rebuilds='users') }}

with

sessions_this_run as (
    select * from {{ ref('int_sessions_this_run') }}
),

all_sessions as (
    select * from {{ ref('user_sessions') }}
),

users_this_run as (
    select distinct
        source,
        user_id
    from sessions_this_run
),

sessions as (
    -- Every session of the users this run rebuilds (every user when built whole).
    select all_sessions.* from all_sessions
    {{ semi_join() }} users_this_run
        on
            all_sessions.source = users_this_run.source
            and all_sessions.user_id = users_this_run.user_id
),

recent_sessions as (
    -- The latest N sessions of a user: by start time (a user's concurrent client sessions may
    -- overlap, so session_number alone does not order them), ties by client session and number.
    select
        *,
        row_number() over (
            partition by source, user_id
            order by start_time desc, coalesce(client_session_id, '') desc, session_number desc
        ) as recency_rank
    from sessions
),

per_user as (
    select
        source,
        user_id,
        count(*) as sessions_considered,
        sum(coalesce(duration_seconds, 0)) as total_duration,
        sum(action_count) as total_actions,
        max(coalesce(error_count, 0)) filter (where recency_rank = 1) as latest_session_error_count
    from recent_sessions
    where recency_rank <= {{ var('pattern_session_window') }}
    group by source, user_id
),

classified as (
    select
        source,
        user_id,
        sessions_considered,
        {{ ratio_half_up('total_duration', 'sessions_considered') }} as avg_duration_seconds,
        {{ ratio_half_up('total_actions', 'sessions_considered') }} as avg_action_count,
        latest_session_error_count,
        case
            when
                total_duration > {{ var('power_user_min_avg_duration_seconds') }} * sessions_considered
                and total_actions > {{ var('power_user_min_avg_actions') }} * sessions_considered
                then 'power_user'
            when total_duration < {{ var('quick_checker_max_avg_duration_seconds') }} * sessions_considered
                then 'quick_checker'
            when latest_session_error_count > {{ var('struggling_user_min_errors') }}
                then 'struggling_user'
            else 'regular_user'
        end as pattern
    from per_user
)

select * from classified
