{#-
    The canonical event stream: one row per unique event of every enabled source, with the same
    columns for every source (null where a source has no such field).
-#}
with

chat_messages as (
    select * from {{ ref('stg_chat__messages') }}
),

event_categories as (
    select * from {{ ref('event_categories') }}
),

chat_events as (
    select
        'chat' as source,
        chat_messages.event_id,
        chat_messages.user_id,
        cast(null as varchar) as anonymous_id,
        chat_messages.event_time,
        chat_messages.event_name,
        coalesce(event_categories.event_category, 'other') as event_category,
        coalesce(event_categories.is_message, false) as is_message,
        chat_messages.channel_id,
        chat_messages.file_name,
        chat_messages.line_number
    from chat_messages
    left join event_categories
        on
            event_categories.source = 'chat'
            and chat_messages.event_name = event_categories.event_name
)

select * from chat_events
