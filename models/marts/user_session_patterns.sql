{#-
    One row per user and source: the tracking spec's pattern over the user's latest sessions
    (var `pattern_session_window`, default 20).
    Incremental (session_mart): the users of the recompute ranges not applied yet are deleted
    and rebuilt.
-#}
{{ config(materialized='session_mart', rebuilds='users', rebuilt_from='user_sessions') }}

with

recompute_ranges as (
    -- The recompute ranges this mart has not applied yet (every range on a full refresh).
    select * from {{ ref('int_session_recompute_ranges') }}
    where {{ since_watermark('_computed_at') }}
),

all_sessions as (
    select * from {{ ref('user_sessions') }}
),

sessions as (
    -- Every session of those users.
    select * from all_sessions
    where {{ session_in_ranges('recompute_ranges', 'all_sessions.source', 'all_sessions.user_id') }}
),

latest_session_numbers as (
    select
        source,
        user_id,
        max(session_number) as latest_session_number
    from sessions
    group by source, user_id
),

recent_sessions as (
    -- A user's sessions never overlap, so session_number follows start_time: the latest N
    -- sessions are the N highest numbers (no sort needed).
    select
        sessions.*,
        latest_session_numbers.latest_session_number - sessions.session_number + 1 as recency_rank
    from sessions
    inner join latest_session_numbers
        on
            sessions.source = latest_session_numbers.source
            and sessions.user_id = latest_session_numbers.user_id
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
