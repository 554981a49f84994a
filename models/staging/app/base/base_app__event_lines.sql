{#-
    Every line of the product tracking files, parsed, with the reason it cannot be used (if any).
    Incremental: each run reads only the files not loaded before.
-#}
{{ config(materialized='incremental_files', incremental_strategy='append') }}

with

records as (
    {{ json_file_records(source('app', 'event_files')) }}
),

fields as (
    select
        *,
        {{ json_text_field('payload', 'event_id') }} as event_id,
        {{ json_text_field('payload', 'event_type') }} as event_type,
        {{ json_text_field('payload', 'user_id') }} as user_id,
        try_cast(json_extract_string(payload, '$.timestamp') as timestamptz) as event_time,
        {{ json_text_field('payload', 'page') }} as page,
        {{ json_text_field('payload', 'referrer') }} as referrer,
        {{ json_text_field('payload', 'campaign') }} as campaign,
        json_extract_string(payload, '$.device.type') as device_type,
        json_extract_string(payload, '$.device.browser') as browser,
        json_extract_string(payload, '$.device.os') as os,
        json_extract_string(payload, '$.device.screen_size') as screen_size,
        {{ json_text_field('payload', 'action') }} as action_name,
        {{ json_text_field('payload', 'reason') }} as reason,
        {{ json_text_field('payload', 'workflow_id') }} as workflow_id,
        json_extract(payload, '$.details') as details
    from records
),

validated as (
    select
        * exclude (payload),
        {{ load_timestamp() }} as _loaded_at,
        case
            when is_blank then null
            else coalesce(
                {{ record_problem('raw_line', 'is_invalid_utf8', 'payload') }},
                {{ json_field_problem('payload', 'event_id') }},
                {{ json_field_problem('payload', 'event_type') }},
                case
                    when event_type not in (
                        {%- for event_type in sessions.app_event_types() %}
                        '{{ event_type }}'{{ ',' if not loop.last }}
                        {%- endfor %}
                    ) then 'unknown_event_type'
                end,
                {{ json_field_problem('payload', 'user_id') }},
                {{ timestamp_problem('event_time', 'payload') }}
            )
        end as rejection_reason
    from fields
)

select * from validated
