{#-
    Every record of the Segment files (array element or line), parsed, with the reason it cannot
    be used (if any). Valid records continue to stg_segment__events; the others are quarantined.
    Incremental: each run reads only the files not loaded before.
-#}
{{ config(materialized='incremental_files', incremental_strategy='append') }}

with

records as (
    {{ json_file_records(source('segment', 'event_files')) }}
),

fields as (
    select
        *,
        {{ json_text_field('payload', 'type') }} as event_type,
        {{ json_text_field('payload', 'event') }} as track_event,
        {{ json_text_field('payload', 'name') }} as page_name,
        {{ json_text_field('payload', 'userId') }} as user_id,
        {{ json_text_field('payload', 'anonymousId') }} as anonymous_id,
        {{ json_text_field('payload', 'messageId') }} as message_id,
        try_cast(json_extract_string(payload, '$.timestamp') as timestamptz) as event_time,
        coalesce(
            json_extract_string(payload, '$.properties.path'),
            json_extract_string(payload, '$.context.page.path')
        ) as page,
        coalesce(
            json_extract_string(payload, '$.properties.referrer'),
            json_extract_string(payload, '$.context.page.referrer')
        ) as referrer,
        json_extract_string(payload, '$.context.campaign.name') as campaign,
        json_extract_string(payload, '$.context.device.type') as device_type,
        json_extract_string(payload, '$.context.browser.name') as browser,
        json_extract_string(payload, '$.context.os.name') as os,
        json_extract_string(payload, '$.context.screen.width')
        || 'x'
        || json_extract_string(payload, '$.context.screen.height') as screen_size,
        json_extract(payload, '$.properties') as properties,
        json_extract(payload, '$.context') as context,
        json_type(payload, '$.userId') as user_id_type,
        json_type(payload, '$.anonymousId') as anonymous_id_type
    from records
),

validated as (
    select
        * exclude (payload, user_id_type, anonymous_id_type),
        {{ load_timestamp() }} as _loaded_at,
        case
            when is_blank then null
            else coalesce(
                {{ record_problem('raw_line', 'is_invalid_utf8', 'payload') }},
                {{ json_field_problem('payload', 'type') }},
                case
                    when event_type not in ('identify', 'track', 'page', 'screen')
                        then 'unknown_event_type'
                end,
                {{ timestamp_problem('event_time', 'payload') }},
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
