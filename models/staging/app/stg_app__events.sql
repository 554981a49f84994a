{#-
    One row per unique product tracking event: copies of an event_id count once (the copy read
    first, by file name and line, is kept).
-#}
with

valid_lines as (
    select * from {{ ref('base_app__event_lines') }}
    where not is_blank and rejection_reason is null
),

numbered as (
    select
        *,
        row_number() over (
            partition by event_id
            order by file_name, line_number
        ) as copy_number
    from valid_lines
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
        details,
        file_name,
        line_number
    from numbered
    where copy_number = 1
)

select * from deduplicated
