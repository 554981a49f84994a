{#-
    Every line of the product tracking files, parsed, with the reason it cannot be used (if any)
    and whether it is the first copy of its event (is_first_copy): copies of an event_id count
    once, the copy loaded first is kept (within one load, the first by file name and line).
    The first copies are stg_app__events; the rejected lines go to quarantined_events.
    Incremental: each run reads only the files not loaded before and the lines appended to
    JSON-lines files loaded before (see incremental_files).
-#}
{{ config(materialized='incremental_files', incremental_strategy='append') }}
{%- set record_columns = [
    'file_name', 'line_number', 'raw_line', 'is_blank', 'is_invalid_utf8', 'event_id', 'event_type',
    'user_id', 'event_time', 'page', 'referrer', 'campaign', 'device_type', 'browser', 'os',
    'screen_size', 'action_name', 'reason', 'workflow_id', 'session_id', 'details',
    '_file_size', '_file_modified_us', '_line_end_byte',
] %}
{%- set text_fields = [
    'event_id', 'event_type', 'user_id', 'timestamp', 'page', 'referrer', 'campaign', 'action',
    'reason', 'workflow_id', 'session_id',
] %}

with

records as (
    {{ json_file_records(source('app', 'event_files'), text_fields, ['device', 'details']) }}
),

fields as (
    select
        *,
        {{ json_text_field('event_id') }} as event_id,
        {{ json_text_field('event_type') }} as event_type,
        {{ json_text_field('user_id') }} as user_id,
        {{ utc_timestamp(json_text_field('timestamp')) }} as event_time,
        {{ json_text_field('page') }} as page,
        {{ json_text_field('referrer') }} as referrer,
        {{ json_text_field('campaign') }} as campaign,
        {{ json_path_text("json_fields['device']", '$.type') }} as device_type,
        {{ json_path_text("json_fields['device']", '$.browser') }} as browser,
        {{ json_path_text("json_fields['device']", '$.os') }} as os,
        {{ json_path_text("json_fields['device']", '$.screen_size') }} as screen_size,
        {{ json_text_field('action') }} as action_name,
        {{ json_text_field('reason') }} as reason,
        {{ json_text_field('workflow_id') }} as workflow_id,
        {{ json_text_field('session_id') }} as session_id,
        json_fields['details'] as details
    from records
),

validated as (
    select
        {%- for column in record_columns %}
        {{ column }},
        {%- endfor %}
        {{ run_stamp() }} as _loaded_at,
        case
            when is_blank then null
            else coalesce(
                {{ record_problem('raw_line', 'is_invalid_utf8', 'payload') }},
                {{ json_field_problem('event_id') }},
                {{ json_field_problem('event_type') }},
                case
                    when event_type not in (
                        {%- for event_type in sessions.app_event_types() %}
                        '{{ event_type }}'{{ ',' if not loop.last }}
                        {%- endfor %}
                    ) then 'unknown_event_type'
                end,
                {{ json_field_problem('user_id') }},
                {{ timestamp_problem('event_time', 'timestamp') }}
            )
        end as rejection_reason
    from fields
),

deduplicated as (
    select
        *,
        {{ is_first_copy('validated', 'event_id', usable='not is_blank and rejection_reason is null') }}
            as is_first_copy
    from validated
),

records_kept as (
    {{ keep_raw_line_of_rejected(
        'deduplicated', record_columns + ['_loaded_at', 'rejection_reason', 'is_first_copy'],
    ) }}
)

select * from records_kept
