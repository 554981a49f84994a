{#-
    One row per chat session. The top channel is the one with the most messages; ties go to the
    channel whose first message in the session came first, then to the lowest channel_id as text.
    Incremental (session_ranges): the sessions this run rebuilds (int_sessions_this_run) are
    deleted and inserted again.
-#}
{{ config(materialized='incremental', incremental_strategy='session_ranges', source_name='chat') }}

with

sessions_this_run as (
    select * from {{ ref('int_sessions_this_run') }}
),

sessionized_events as (
    select * from {{ ref('int_events_sessionized') }}
),

chat_events as (
    -- The chat events of the sessions this run rebuilds (every one when built whole).
    select sessionized_events.* from sessionized_events
    {{ in_sessions_this_run('sessionized_events', 'sessions_this_run', stamp='_sessionized_at') }}
    where sessionized_events.source = 'chat'
),

sessions as (
    select
        session_id,
        user_id,
        session_number,
        min(event_time) as session_start,
        max(event_time) as session_end,
        count(*) as event_count,
        count(*) filter (where is_message) as total_messages
    from chat_events
    group by session_id, user_id, session_number
),

channel_messages as (
    select
        session_id,
        channel_id,
        count(*) as channel_messages,
        min(event_time) as first_message_time
    from chat_events
    where is_message
    group by session_id, channel_id
),

channels_ranked as (
    select
        session_id,
        channel_id,
        channel_messages,
        row_number() over (
            partition by session_id
            order by channel_messages desc, first_message_time asc, channel_id asc
        ) as channel_rank
    from channel_messages
),

top_channels as (
    select
        session_id,
        channel_id as top_channel_id,
        channel_messages as top_channel_messages
    from channels_ranked
    where channel_rank = 1
),

final as (
    select
        sessions.session_id,
        sessions.user_id,
        sessions.session_number,
        sessions.session_start,
        sessions.session_end,
        sessions.total_messages,
        sessions.event_count,
        top_channels.top_channel_id,
        top_channels.top_channel_messages
    from sessions
    left join top_channels
        on sessions.session_id = top_channels.session_id
)

select * from final
