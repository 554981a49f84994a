{#-
    One row per user and source: the tracking spec's pattern over the user's latest sessions
    (var `pattern_session_window`, default 20).
    Incremental: the users affected since the last run are deleted and rebuilt.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_affected_sessions(session_number_column=none) }}",
    post_hook="{{ record_mart_watermark(rebuilt_from='user_sessions') }}",
) }}
-- depends_on: {{ ref('int_session_recompute_ranges') }}

with

sessions as (
    select sessions.* from {{ ref('user_sessions') }} as sessions
    {{ join_affected_users('sessions.source', 'sessions.user_id') }}
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
