{#-
    One row per unique Segment event: the records of base_segment__event_records that are the
    first copy of their event (is_first_copy: a messageId's copies count once; a record without
    one is its own event, identified by its content and occurrence number). A view: the events
    are stored once, in the base model, and a reader's filter on _loaded_at reaches its scan.
-#}
{{ config(materialized='view') }}

with

event_records as (
    select * from {{ ref('base_segment__event_records') }}
),

events as (
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
    from event_records
    where is_first_copy
)

select * from events
