{#-
    One row per session of every source, with the session tracking spec's attributes. Attributes
    that a source has no data for are null (see the column docs).
    Incremental: the sessions changed since the last run (those after each affected user's
    recompute offset) are deleted and rebuilt.
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
    {{ join_affected_sessions('sessionized.source', 'sessionized.user_id', 'sessionized.session_number') }}
),

events_ranked as (
    select
        *,
        row_number() over (
            partition by session_id
            order by event_time desc, event_sort_rank desc, event_id desc
        ) as position_from_end,
        case
            when page is not null
                then row_number() over (
                    partition by session_id, page is not null
                    order by event_time, event_sort_rank, event_id
                )
        end as page_position,
        case
            when page is not null
                then row_number() over (
                    partition by session_id, page is not null
                    order by event_time desc, event_sort_rank desc, event_id desc
                )
        end as page_position_from_end,
        case
            when has_device
                then row_number() over (
                    partition by session_id, has_device
                    order by event_time, event_sort_rank, event_id
                )
        end as device_position,
        case
            when referrer is not null
                then row_number() over (
                    partition by session_id, referrer is not null
                    order by event_time, event_sort_rank, event_id
                )
        end as referrer_position,
        case
            when campaign is not null
                then row_number() over (
                    partition by session_id, campaign is not null
                    order by event_time, event_sort_rank, event_id
                )
        end as campaign_position,
        case
            when event_category <> 'heartbeat'
                then row_number() over (
                    partition by session_id, event_category <> 'heartbeat'
                    order by event_time desc, event_sort_rank desc, event_id desc
                )
        end as non_heartbeat_position_from_end
    from (
        select
            *,
            coalesce(device_type, browser, os, screen_size) is not null as has_device
        from events
    ) as events_with_flags
),

sessions_aggregated as (
    select
        session_id,
        source,
        user_id,
        session_number,
        min(event_time) as start_time,
        max(event_time) as end_time,
        count(*) as event_count,
        count(*) filter (where event_category in ('action', 'page_view', 'workflow')) as action_count,
        count(*) filter (where event_category = 'error') as errors,
        count(distinct workflow_id) filter (where event_type = 'workflow_started') as workflows_started,
        max(device_type) filter (where device_position = 1) as device_type,
        max(browser) filter (where device_position = 1) as browser,
        max(os) filter (where device_position = 1) as os,
        max(screen_size) filter (where device_position = 1) as screen_size,
        max(page) filter (where page_position = 1) as entry_page,
        max(page) filter (where page_position_from_end = 1) as exit_page,
        max(referrer) filter (where referrer_position = 1) as referrer,
        max(campaign) filter (where campaign_position = 1) as campaign,
        max(session_end_reason) filter (
            where position_from_end = 1 and event_type = 'session_end'
        ) as closing_reason,
        bool_or(position_from_end = 1 and event_category = 'session_end') as is_closed,
        bool_or(non_heartbeat_position_from_end = 1 and event_category = 'error') as ends_on_error
    from events_ranked
    group by session_id, source, user_id, session_number
),

sessions_described as (
    select
        session_id,
        source,
        user_id,
        session_number,
        start_time,
        end_time,
        cast(
            ({{ epoch_microseconds('end_time') }} - {{ epoch_microseconds('start_time') }}) // 1000000
            as integer
        ) as duration_seconds,
        event_count,
        action_count,
        case when source = 'app' then errors end as error_count,
        case when source = 'app' then workflows_started end as workflow_count,
        device_type,
        browser,
        os,
        screen_size,
        entry_page,
        exit_page,
        case when source in ('app', 'segment') then {{ entry_source('referrer') }} end as entry_source,
        referrer,
        campaign,
        case
            when source <> 'app' then null
            when is_closed and closing_reason is not null then closing_reason
            when ends_on_error then 'error'
            else 'timeout'
        end as exit_reason,
        is_closed
    from sessions_aggregated
),

sessions_final as (
    select
        * exclude (is_closed),
        duration_seconds < {{ var('bounce_max_duration_seconds') }}
        and action_count <= {{ var('bounce_max_actions') }} as is_bounce,
        is_closed as is_closed_by_session_end
    from sessions_described
)

select * from sessions_final
