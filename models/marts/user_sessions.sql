{#-
    One row per session of every source, with the session tracking spec's attributes. Attributes
    that a source has no data for are null (see the column docs).
    A session still open at the build's as_of (session_is_open) has is_open true and no
    exit_reason yet; its end_time and duration are those of its last event so far.
    Incremental (session_ranges): the sessions this run rebuilds (int_sessions_this_run) are
    deleted and inserted again; they include the sessions whose openness the moving as_of may
    change (its clock ranges).
-#}
{{ config(materialized='incremental', incremental_strategy='session_ranges') }}
{#- Events are numbered in session order (event_time, event_sort_rank, event_id). -#}
{%- set event_order = ['event_number_in_session'] %}

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
    -- The events of the sessions this run rebuilds (every event when built whole).
    select sessionized_events.* from sessionized_events
    {{ in_sessions_this_run('sessionized_events', 'sessions_this_run', stamp='_sessionized_at') }}
),

sessions_aggregated as (
    -- Values of the first and last events by first_by / last_by: aggregates, not one window
    -- sort per attribute.
    select
        session_id,
        source,
        user_id,
        client_session_key,
        session_number,
        min(event_time) as start_time,
        max(event_time) as end_time,
        count(*) as event_count,
        count(*) filter (where event_category in ('action', 'page_view', 'workflow')) as action_count,
        count(*) filter (where {{ is_error_event() }}) as errors,
        count(distinct workflow_id) filter (where event_type = 'workflow_started') as workflows_started,
        count(distinct page) filter (where event_category = 'page_view') as distinct_pages_viewed,
        count(page) filter (where event_category = 'page_view') as page_views_with_page,
        {{ first_by('device_type', event_order) }} filter (where has_device) as device_type,
        {{ first_by('browser', event_order) }} filter (where has_device) as browser,
        {{ first_by('os', event_order) }} filter (where has_device) as os,
        {{ first_by('screen_size', event_order) }} filter (where has_device) as screen_size,
        {{ first_by('page', event_order) }} filter (where page is not null) as entry_page,
        {{ last_by('page', event_order) }} filter (where page is not null) as exit_page,
        {{ first_by('referrer', event_order) }} filter (where referrer is not null) as referrer,
        {{ first_by('campaign', event_order) }} filter (where campaign is not null) as campaign,
        {{ last_by(explicit_session_boundary('end'), event_order) }} as is_closed,
        {{ last_by('session_end_reason', event_order) }} as last_session_end_reason,
        {{ last_by('event_category', event_order) }} filter (where event_category <> 'heartbeat')
            as last_non_heartbeat_category,
        {{ last_by('action_name', event_order) }} filter (where action_name is not null) as last_action_name
    from (
        select
            *,
            coalesce(device_type, browser, os, screen_size) is not null as has_device,
            -- The app carries an action's name in its properties (source_registry).
            case
                when source = 'app' and event_type = 'action'
                    then {{ json_path_text('properties', '$.action') }}
            end as action_name
        from events
    ) as events_with_flags
    group by session_id, source, user_id, client_session_key, session_number
),

workflows_completed as (
    -- Per session: the workflows started in it that were also completed in it (the others are
    -- the session's rows of abandoned_workflows).
    select
        session_id,
        count(*) filter (where start_events > 0 and completion_events > 0) as completed_workflow_count
    from (
        select
            session_id,
            workflow_id,
            count(*) filter (where event_type = 'workflow_started') as start_events,
            count(*) filter (where event_type = 'workflow_completed') as completion_events
        from events
        where workflow_id is not null and event_category = 'workflow'
        group by session_id, workflow_id
    ) as workflow_events
    group by session_id
),

sessions_with_workflows as (
    select
        sessions_aggregated.*,
        workflows_completed.completed_workflow_count,
        {{ session_is_open(
            'sessions_aggregated.session_number',
            'stream_last_sessions.last_session_number',
            'sessions_aggregated.end_time',
            'sessions_aggregated.is_closed',
            '(select build_moment.as_of from build_moment)',
            'sessions_aggregated.source',
        ) }} as is_open
    from sessions_aggregated
    left join workflows_completed
        on sessions_aggregated.session_id = workflows_completed.session_id
    left join stream_last_sessions
        on
            sessions_aggregated.source = stream_last_sessions.source
            and sessions_aggregated.user_id = stream_last_sessions.user_id
            and sessions_aggregated.client_session_key = stream_last_sessions.client_session_key
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
            {{ int_div(epoch_microseconds('end_time') ~ ' - ' ~ epoch_microseconds('start_time'), '1000000') }}
            as integer
        ) as duration_seconds,
        event_count,
        action_count,
        case when source = 'app' then errors end as error_count,
        case when source = 'app' then workflows_started end as workflow_count,
        case when source = 'app' then coalesce(completed_workflow_count, 0) end as completed_workflow_count,
        distinct_pages_viewed as distinct_page_count,
        page_views_with_page - distinct_pages_viewed as repeated_page_view_count,
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
            -- Still open at as_of: it has not ended yet.
            when is_open then null
            -- Closed by a session_end: its reason, or `unspecified` when the client sent none.
            when is_closed then coalesce(last_session_end_reason, 'unspecified')
            when {{ is_error_event('last_non_heartbeat_category') }} then 'error'
            else 'timeout'
        end as exit_reason,
        -- Sessions are cut per client session: every event of a session has the same id.
        nullif(client_session_key, '') as client_session_id,
        is_closed,
        is_open,
        last_action_name as exit_last_action
    from sessions_with_workflows
),

sessions_final as (
    select
        {%- for column in [
            'session_id', 'source', 'user_id', 'session_number', 'start_time', 'end_time',
            'duration_seconds', 'event_count', 'action_count', 'error_count', 'workflow_count',
            'device_type', 'browser', 'os', 'screen_size', 'entry_page', 'exit_page', 'entry_source',
            'referrer', 'campaign', 'exit_reason', 'client_session_id',
        ] %}
        {{ column }},
        {%- endfor %}
        duration_seconds < {{ var('bounce_max_duration_seconds') }}
        and action_count <= {{ var('bounce_max_actions') }} as is_bounce,
        is_closed as is_closed_by_session_end,
        completed_workflow_count,
        distinct_page_count,
        repeated_page_view_count,
        exit_last_action,
        is_open
    from sessions_described
)

select * from sessions_final
{%- if not is_incremental() %}
-- A full refresh stores each user's sessions together, in order.
order by source, user_id, session_number
{%- endif %}
