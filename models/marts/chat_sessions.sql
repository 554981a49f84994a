{#-
    One row per chat session. The top channel is the one with the most messages; ties go to the
    channel whose first message in the session came first, then to the lowest channel_id as text.
    Incremental (session_mart): the sessions of the recompute ranges not applied yet are
    deleted and rebuilt.
-#}
{{ config(materialized='session_mart', source_name='chat') }}

with

recompute_ranges as (
    -- The recompute ranges this mart has not applied yet (every range on a full refresh).
    select * from {{ ref('int_session_recompute_ranges') }}
    where {{ since_watermark('_computed_at') }} and source = 'chat'
),

chat_events as (
    -- The events of those sessions: sessionized again since the watermark.
    select * from {{ ref('int_events_sessionized') }}
    where {{ since_watermark('_sessionized_at') }} and source = 'chat'
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
    -- The sessions of the ranges (redundant with the events' filter: it says what is rebuilt).
    where {{ session_in_ranges('recompute_ranges', "'chat'", 'sessions.user_id', 'sessions.session_number') }}
)

select * from final
