{#-
    One row per chat session. The top channel is the one with the most messages; ties go to the
    channel whose first message in the session came first, then to the lowest channel_id as text.
    Incremental: the sessions changed since the last run (those in each affected user's
    recompute range) are deleted and rebuilt.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_affected_sessions(\"'chat'\") }}",
    post_hook="{{ record_mart_watermark() }}",
) }}
-- depends_on: {{ ref('int_session_recompute_ranges') }}

with

chat_events as (
    select sessionized.* from {{ ref('int_events_sessionized') }} as sessionized
    where
        {{ resessionized_since_watermark('sessionized._sessionized_at') }}
        and sessionized.source = 'chat'
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
