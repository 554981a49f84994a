{#-
    Every line of the chat files, parsed, with the reason it cannot be used (if any), and the
    event id of a usable line. Chat lines carry no id and two equal lines are two messages, so
    the id is a hash of the event's content plus its occurrence number among equal events:
    stable whatever the file order, distinct for repeated lines (the numbering continues after
    the copies loaded before). Usable lines are stg_chat__messages; the others go to
    quarantined_events.
    Incremental: each run reads only the files not loaded before and the lines appended to
    files loaded before (see incremental_files).
-#}
{{ config(materialized='incremental_files', incremental_strategy='append') }}
{%- set text_fields = ['user_id', 'channel_id', 'event_name', 'timestamp'] %}
{%- set record_columns = [
    'file_name', 'line_number', 'raw_line', 'is_blank', 'user_id', 'channel_id', 'event_name',
    'event_time', 'is_invalid_utf8', '_file_size', '_file_modified_us', '_line_end_byte',
    '_loaded_at', 'rejection_reason',
] %}

with

records as (
    {{ json_file_records(source('chat', 'message_files'), text_fields) }}
),

fields as (
    select
        *,
        {{ json_text_field('user_id') }} as user_id,
        {{ json_text_field('channel_id') }} as channel_id,
        {{ json_text_field('event_name') }} as event_name,
        {{ utc_timestamp(json_text_field('timestamp')) }} as event_time
    from records
),

validated as (
    select
        file_name,
        line_number,
        raw_line,
        is_blank,
        user_id,
        channel_id,
        event_name,
        event_time,
        is_invalid_utf8,
        _file_size,
        _file_modified_us,
        _line_end_byte,
        {{ run_stamp() }} as _loaded_at,
        case
            when is_blank then null
            else coalesce(
                {{ record_problem('raw_line', 'is_invalid_utf8', 'payload') }},
                {{ json_field_problem('user_id') }},
                {{ timestamp_problem('event_time', 'timestamp') }},
                {{ json_field_problem('event_name') }},
                {{ json_field_problem('channel_id') }}
            )
        end as rejection_reason
    from fields
),

identified as (
    {{ content_event_ids(
        'validated',
        ['user_id', 'channel_id', 'event_name', epoch_microseconds('event_time')],
        record_columns,
        usable='not is_blank and rejection_reason is null',
    ) }}
),

records_kept as (
    {{ keep_raw_line_of_rejected('identified', record_columns + ['content_key', 'event_id']) }}
)

select * from records_kept
