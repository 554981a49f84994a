{#-
    One row per unique Segment event. Copies of a messageId count once (the copy loaded first is
    kept; within one load, the first by file name and position). Events without a messageId get a
    content hash as id, with an occurrence number so that identical copies stay distinct events.
    Incremental: appends the records loaded since the last run whose messageId is new.
-#}
{{ config(materialized='incremental', incremental_strategy='append') }}

with

pending_records as (
    select * from {{ ref('base_segment__event_records') }}
    where not is_blank and rejection_reason is null and {{ pending_rows_filter() }}
),

keyed as (
    select
        *,
        {{ surrogate_key([
            'event_type',
            'track_event',
            'page_name',
            'user_id',
            'anonymous_id',
            epoch_microseconds('event_time'),
            'properties',
            'context',
        ]) }} as content_key
    from pending_records
),

with_message_id as (
    select
        *,
        row_number() over (
            partition by message_id
            order by file_name, line_number
        ) as copy_number
    from keyed
    where message_id is not null
),

without_message_id as (
    select
        keyed.*,
        {{ occurrence_number('keyed', 'earlier.message_id is null') }} as occurrence_number
    from keyed
    where keyed.message_id is null
),

first_copies as (
    select * from with_message_id
    where copy_number = 1
),

new_message_ids as (
    select first_copies.* from first_copies
    {%- if is_incremental() %}
    -- A re-sent copy of a messageId loaded before is ignored (an anti join: a messageId is
    -- unique in this model).
    left join {{ this }} as loaded
        on first_copies.message_id = loaded.message_id
    where loaded.message_id is null
    {%- endif %}
),

{%- set identified_columns = [
    'message_id', 'event_type', 'track_event', 'page_name', 'user_id', 'anonymous_id', 'event_time',
    'page', 'referrer', 'campaign', 'device_type', 'browser', 'os', 'screen_size', 'properties',
    'context', 'content_key', 'file_name', 'line_number',
] %}

identified as (
    select
        new_message_ids.message_id as event_id,
        {%- for column in identified_columns %}
        new_message_ids.{{ column }},
        {%- endfor %}
        new_message_ids._loaded_at
    from new_message_ids
    union all
    select
        {{ surrogate_key(['content_key', 'occurrence_number']) }} as event_id,
        {%- for column in identified_columns %}
        without_message_id.{{ column }},
        {%- endfor %}
        without_message_id._loaded_at
    from without_message_id
),

renamed as (
    select
        event_id,
        message_id,
        event_type,
        coalesce(track_event, page_name, event_type) as event_name,
        user_id,
        anonymous_id,
        event_time,
        page,
        referrer,
        campaign,
        device_type,
        browser,
        os,
        screen_size,
        properties,
        context,
        content_key,
        file_name,
        line_number,
        _loaded_at
    from identified
)

select * from renamed
