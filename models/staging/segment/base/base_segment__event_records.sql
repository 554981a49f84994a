{#-
    Every record of the Segment files (array element or line), parsed, with the reason it cannot
    be used (if any). Valid records continue to stg_segment__events; the others are quarantined.
    Incremental: each run reads only the files not loaded before (see incremental_files).
-#}
{{ config(materialized='incremental_files', incremental_strategy='append') }}

with

records as (
    {{ json_file_records(source('segment', 'event_files')) }}
),

parsed as (
    select
        *,
        {{ json_object_fields('payload', [
            'type', 'event', 'name', 'userId', 'anonymousId', 'messageId', 'timestamp',
            'properties', 'context',
        ]) }} as json_fields
    from records
),

fields as (
    select
        *,
        {{ json_text_field('json_fields.type') }} as event_type,
        {{ json_text_field('json_fields.event') }} as track_event,
        {{ json_text_field('json_fields.name') }} as page_name,
        {{ json_text_field('json_fields.userId') }} as user_id,
        {{ json_text_field('json_fields.anonymousId') }} as anonymous_id,
        {{ json_text_field('json_fields.messageId') }} as message_id,
        try_cast(json_extract_string(json_fields."timestamp", '$') as timestamptz) as event_time,
        coalesce(
            json_extract_string(json_fields.properties, '$.path'),
            json_extract_string(json_fields.context, '$.page.path')
        ) as page,
        coalesce(
            json_extract_string(json_fields.properties, '$.referrer'),
            json_extract_string(json_fields.context, '$.page.referrer')
        ) as referrer,
        json_extract_string(json_fields.context, '$.campaign.name') as campaign,
        json_extract_string(json_fields.context, '$.device.type') as device_type,
        json_extract_string(json_fields.context, '$.browser.name') as browser,
        json_extract_string(json_fields.context, '$.os.name') as os,
        json_extract_string(json_fields.context, '$.screen.width')
        || 'x'
        || json_extract_string(json_fields.context, '$.screen.height') as screen_size,
        json_fields.properties as properties,
        json_fields.context as context,
        json_type(json_fields.userId) as user_id_type,
        json_type(json_fields.anonymousId) as anonymous_id_type
    from parsed
),

validated as (
    select
        * exclude (payload, json_fields, user_id_type, anonymous_id_type),
        {{ load_timestamp() }} as _loaded_at,
        case
            when is_blank then null
            else coalesce(
                {{ record_problem('raw_line', 'is_invalid_utf8', 'payload') }},
                {{ json_field_problem('json_fields.type', 'type') }},
                case
                    when event_type not in ('identify', 'track', 'page', 'screen')
                        then 'unknown_event_type'
                end,
                {{ timestamp_problem('event_time', 'json_fields."timestamp"') }},
                case
                    when user_id_type not in ('NULL', 'VARCHAR', 'BIGINT', 'UBIGINT')
                        then 'invalid_user_id'
                    when anonymous_id_type not in ('NULL', 'VARCHAR', 'BIGINT', 'UBIGINT')
                        then 'invalid_anonymous_id'
                    when user_id is null and anonymous_id is null then 'missing_user_id'
                end
            )
        end as rejection_reason
    from fields
)

select * from validated
