{#-
    Every MOOC interaction with its session (grain: one row per interaction): the columns of the
    MOOC notebook's output, exported to `exports/mooc_sessions.parquet`.
    Incremental: the users affected since the last run are deleted and rebuilt.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_affected_users(\"'mooc'\") }}",
    post_hook="{{ record_mart_watermark() }}",
) }}
-- depends_on: {{ ref('int_session_recompute_ranges') }}

with

interactions as (
    select * from {{ ref('int_events_sessionized') }}
    where source = 'mooc' and {{ affected_users_condition() }}
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
