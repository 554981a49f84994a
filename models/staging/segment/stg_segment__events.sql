{#-
    One row per unique Segment event. Copies of a messageId count once (the copy read first, by
    file name and position, is kept). Events without a messageId get a content hash as id, with
    an occurrence number so that identical copies stay distinct events.
-#}
with

valid_records as (
    select * from {{ ref('base_segment__event_records') }}
    where not is_blank and rejection_reason is null
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
    from valid_records
),

numbered as (
    select
        *,
        row_number() over (
            partition by coalesce(message_id, content_key)
            order by file_name, line_number
        ) as copy_number
    from keyed
),

deduplicated as (
    select
        coalesce(
            message_id,
            {{ surrogate_key(['content_key', 'copy_number']) }}
        ) as event_id,
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
        file_name,
        line_number
    from numbered
    where message_id is null or copy_number = 1
)

select * from deduplicated
