{#-
    One row per valid chat event. Chat lines carry no id and two equal lines are two messages, so
    the event id is a hash of the event's content plus its occurrence number among equal events:
    stable whatever the file order, distinct for repeated lines.
-#}
with

valid_lines as (
    select * from {{ ref('base_chat__message_lines') }}
    where not is_blank and rejection_reason is null
),

numbered as (
    select
        *,
        row_number() over (
            partition by user_id, channel_id, event_name, event_time
            order by file_name, line_number
        ) as occurrence_number
    from valid_lines
),

renamed as (
    select
        {{ surrogate_key([
            'user_id',
            'channel_id',
            'event_name',
            epoch_microseconds('event_time'),
            'occurrence_number',
        ]) }} as event_id,
        user_id,
        channel_id,
        event_name,
        event_time,
        file_name,
        line_number
    from numbered
)

select * from renamed
