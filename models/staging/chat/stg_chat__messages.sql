{#-
    One row per valid chat event: the usable lines of base_chat__message_lines, which computes
    each event's id where the line is parsed. A view: the events are stored once, in the base
    model, and a reader's filter on _loaded_at reaches its scan.
-#}
{{ config(materialized='view') }}

with

lines as (
    select * from {{ ref('base_chat__message_lines') }}
),

messages as (
    select
        event_id,
        user_id,
        channel_id,
        event_name,
        event_time,
        content_key,
        file_name,
        line_number,
        _loaded_at
    from lines
    where not is_blank and rejection_reason is null
)

select * from messages
