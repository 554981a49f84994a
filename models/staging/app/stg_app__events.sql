{#-
    One row per unique product tracking event: copies of an event_id count once (the copy loaded
    first is kept; within one load, the first by file name and line). Incremental: appends the
    lines loaded since the last run whose event_id is new.
-#}
{{ config(materialized='incremental', incremental_strategy='append') }}

with

pending_lines as (
    select * from {{ ref('base_app__event_lines') }}
    where not is_blank and rejection_reason is null and {{ pending_rows_filter() }}
),

numbered as (
    select
        *,
        row_number() over (
            partition by event_id
            order by file_name, line_number
        ) as copy_number
    from pending_lines
),

deduplicated as (
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
    from numbered
    where copy_number = 1
),

new_events as (
    select deduplicated.* from deduplicated
    {%- if is_incremental() %}
    -- A re-sent copy of an event loaded before is ignored (an anti join: event_id is unique in
    -- this model, and the small side of the join is the new lines).
    left join {{ this }} as loaded
        on deduplicated.event_id = loaded.event_id
    where loaded.event_id is null
    {%- endif %}
)

select * from new_events
