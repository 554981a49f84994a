{#-
    One row per unique product tracking event: the first copy of each event_id among the lines
    of base_app__event_lines (is_first_copy: the copy loaded first is kept; within one load,
    the first by file name and line). A view: the events are stored once, in the base model,
    and a reader's filter on _loaded_at reaches its scan.
-#}
{{ config(materialized='view') }}

with

event_lines as (
    select * from {{ ref('base_app__event_lines') }}
),

first_copies as (
    select
        event_id,
        event_type,
        user_id,
        event_time,
        page,
        referrer,
        campaign,
        device_type,
        browser,
        os,
        screen_size,
        action_name,
        reason,
        workflow_id,
        session_id,
        details,
        file_name,
        line_number,
        _loaded_at
    from event_lines
    where is_first_copy
)

select * from first_copies
