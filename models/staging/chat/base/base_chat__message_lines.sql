{#-
    Every line of the chat files, parsed, with the reason it cannot be used (if any).
    Valid lines continue to stg_chat__messages; the others go to quarantined_events.
    Incremental: each run reads only the files not loaded before.
-#}
{{ config(materialized='incremental_files', incremental_strategy='append') }}

with

records as (
    {{ json_file_records(source('chat', 'message_files')) }}
),

fields as (
    select
        *,
        {{ json_text_field('payload', 'user_id') }} as user_id,
        {{ json_text_field('payload', 'channel_id') }} as channel_id,
        {{ json_text_field('payload', 'event_name') }} as event_name,
        json_extract_string(payload, '$.timestamp') as timestamp_text,
        try_cast(json_extract_string(payload, '$.timestamp') as timestamptz) as event_time
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
        {{ load_timestamp() }} as _loaded_at,
        case
            when is_blank then null
            else coalesce(
                {{ record_problem('raw_line', 'is_invalid_utf8', 'payload') }},
                {{ json_field_problem('payload', 'user_id') }},
                {{ timestamp_problem('event_time', 'payload') }},
                {{ json_field_problem('payload', 'event_name') }},
                {{ json_field_problem('payload', 'channel_id') }}
            )
        end as rejection_reason
    from fields
)

select * from validated
