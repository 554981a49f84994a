{#-
    One row per valid chat event. Chat lines carry no id and two equal lines are two messages, so
    the event id is a hash of the event's content plus its occurrence number among equal events:
    stable whatever the file order, distinct for repeated lines. Incremental: appends the lines
    loaded since the last run.
-#}
{{ config(materialized='incremental', incremental_strategy='append') }}

with

pending_lines as (
    select * from {{ ref('base_chat__message_lines') }}
    where not is_blank and rejection_reason is null and {{ pending_rows_filter() }}
),

keyed as (
    select
        *,
        {{ surrogate_key(['user_id', 'channel_id', 'event_name', epoch_microseconds('event_time')]) }}
            as content_key
    from pending_lines
),

numbered as (
    select
        *,
        {{ occurrence_number('keyed') }} as occurrence_number
    from keyed
),

renamed as (
    select
        {{ surrogate_key(['content_key', 'occurrence_number']) }} as event_id,
        user_id,
        channel_id,
        event_name,
        event_time,
        content_key,
        file_name,
        line_number,
        _loaded_at
    from numbered
)

select * from renamed
