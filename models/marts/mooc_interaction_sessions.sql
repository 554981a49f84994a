{#-
    Every MOOC interaction with its session (grain: one row per interaction): the columns of the
    MOOC notebook's output, exported to `exports/mooc_sessions.parquet`.
-#}
with

interactions as (
    select * from {{ ref('int_events_sessionized') }}
    where source = 'mooc'
),

renamed as (
    select
        event_id,
        user_id,
        item_id,
        cast(epoch(event_time) as bigint) as ts_epoch,
        session_id,
        session_number,
        cast(json_extract(properties, '$.watch_percentage') as double) as watch_percentage,
        cast(json_extract(properties, '$.rating') as double) as rating
    from interactions
)

select * from renamed
