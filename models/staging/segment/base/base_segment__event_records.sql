{#-
    Every record of the Segment files (array element or line), parsed, with the reason it cannot
    be used (if any), and the event id of a usable record: its messageId, whose copies count
    once (is_first_copy: the copy loaded first is kept; within one load, the first by file
    name and position), else a content hash with an occurrence number, so that identical
    copies stay distinct events (content_event_ids). The first copies are stg_segment__events;
    the rejected records are quarantined.
    Incremental: each run reads only the files not loaded before and the lines appended to
    JSON-lines files loaded before (see incremental_files).
-#}
{{ config(materialized='incremental_files', incremental_strategy='append') }}
{%- set record_columns = [
    'file_name', 'line_number', 'raw_line', 'is_blank', 'is_invalid_utf8', 'event_type',
    'track_event', 'page_name', 'user_id', 'anonymous_id', 'message_id', 'event_time', 'page',
    'referrer', 'campaign', 'device_type', 'browser', 'os', 'screen_size', 'properties', 'context',
    '_file_size', '_file_modified_us', '_line_end_byte',
] %}
{%- set text_fields = ['type', 'event', 'name', 'userId', 'anonymousId', 'messageId', 'timestamp'] %}

with

records as (
    {{ json_file_records(source('segment', 'event_files'), text_fields, ['properties', 'context']) }}
),

fields as (
    select
        *,
        {{ json_text_field('type') }} as event_type,
        {{ json_text_field('event') }} as track_event,
        {{ json_text_field('name') }} as page_name,
        {{ json_text_field('userId') }} as user_id,
        {{ json_text_field('anonymousId') }} as anonymous_id,
        {{ json_text_field('messageId') }} as message_id,
        {{ utc_timestamp(json_text_field('timestamp')) }} as event_time,
        coalesce(
            {{ json_path_text("json_fields['properties']", '$.path') }},
            {{ json_path_text("json_fields['context']", '$.page.path') }}
        ) as page,
        coalesce(
            {{ json_path_text("json_fields['properties']", '$.referrer') }},
            {{ json_path_text("json_fields['context']", '$.page.referrer') }}
        ) as referrer,
        {{ json_path_text("json_fields['context']", '$.campaign.name') }} as campaign,
        {{ json_path_text("json_fields['context']", '$.device.type') }} as device_type,
        {{ json_path_text("json_fields['context']", '$.browser.name') }} as browser,
        {{ json_path_text("json_fields['context']", '$.os.name') }} as os,
        {{ json_path_text("json_fields['context']", '$.screen.width') }}
        || 'x'
        || {{ json_path_text("json_fields['context']", '$.screen.height') }} as screen_size,
        json_fields['properties'] as properties,
        json_fields['context'] as context,
        {{ json_field_type('userId') }} as user_id_type,
        {{ json_field_type('anonymousId') }} as anonymous_id_type
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
                {{ json_field_problem('type') }},
                case
                    when event_type not in ('identify', 'track', 'page', 'screen')
                        then 'unknown_event_type'
                end,
                {{ timestamp_problem('event_time', 'timestamp') }},
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
),

deduplicated as (
    -- Records with a messageId: the first copy of each.
    select
        *,
        {{ is_first_copy(
            'validated',
            'message_id',
            usable='not is_blank and rejection_reason is null and message_id is not null',
        ) }} as has_first_message_id
    from validated
),

-- Records without one: a content id.
content_identified as (
    {{ content_event_ids(
        'deduplicated',
        [
            'event_type',
            'track_event',
            'page_name',
            'user_id',
            'anonymous_id',
            epoch_microseconds('event_time'),
            'properties',
            'context',
        ],
        record_columns + ['_loaded_at', 'rejection_reason', 'has_first_message_id'],
        usable='not is_blank and rejection_reason is null and message_id is null',
    ) }}
),

identified as (
    select
        {%- for column in record_columns + ['_loaded_at', 'rejection_reason', 'content_key'] %}
        {{ column }},
        {%- endfor %}
        case when has_first_message_id then message_id else event_id end as event_id,
        has_first_message_id or content_key is not null as is_first_copy
    from content_identified
),

records_kept as (
    {{ keep_raw_line_of_rejected(
        'identified',
        record_columns + ['_loaded_at', 'rejection_reason', 'content_key', 'event_id', 'is_first_copy'],
    ) }}
)

select * from records_kept
