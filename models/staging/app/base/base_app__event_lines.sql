{#-
    Every line of the product tracking files, parsed, with the reason it cannot be used (if any).
    Incremental: each run reads only the files not loaded before (see incremental_files).
-#}
{{ config(materialized='incremental_files', incremental_strategy='append') }}

with

records as (
    {{ json_file_records(source('app', 'event_files')) }}
),

parsed as (
    select
        *,
        {{ json_object_fields('payload', [
            'event_id', 'event_type', 'user_id', 'timestamp', 'page', 'referrer', 'campaign',
            'device', 'action', 'reason', 'workflow_id', 'details',
        ]) }} as json_fields
    from records
),

fields as (
    select
        *,
        {{ json_text_field('json_fields.event_id') }} as event_id,
        {{ json_text_field('json_fields.event_type') }} as event_type,
        {{ json_text_field('json_fields.user_id') }} as user_id,
        try_cast(json_extract_string(json_fields."timestamp", '$') as timestamptz) as event_time,
        {{ json_text_field('json_fields.page') }} as page,
        {{ json_text_field('json_fields.referrer') }} as referrer,
        {{ json_text_field('json_fields.campaign') }} as campaign,
        json_extract_string(json_fields.device, '$.type') as device_type,
        json_extract_string(json_fields.device, '$.browser') as browser,
        json_extract_string(json_fields.device, '$.os') as os,
        json_extract_string(json_fields.device, '$.screen_size') as screen_size,
        {{ json_text_field('json_fields.action') }} as action_name,
        {{ json_text_field('json_fields.reason') }} as reason,
        {{ json_text_field('json_fields.workflow_id') }} as workflow_id,
        json_fields.details as details
    from parsed
),

validated as (
    select
        * exclude (payload, json_fields),
        {{ load_timestamp() }} as _loaded_at,
        case
            when is_blank then null
            else coalesce(
                {{ record_problem('raw_line', 'is_invalid_utf8', 'payload') }},
                {{ json_field_problem('json_fields.event_id', 'event_id') }},
                {{ json_field_problem('json_fields.event_type', 'event_type') }},
                case
                    when event_type not in (
                        {%- for event_type in sessions.app_event_types() %}
                        '{{ event_type }}'{{ ',' if not loop.last }}
                        {%- endfor %}
                    ) then 'unknown_event_type'
                end,
                {{ json_field_problem('json_fields.user_id', 'user_id') }},
                {{ timestamp_problem('event_time', 'json_fields."timestamp"') }}
            )
        end as rejection_reason
    from fields
)

select * from validated
