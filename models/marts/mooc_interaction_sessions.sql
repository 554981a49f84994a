{#-
    Every MOOC interaction with its session (grain: one row per interaction): the columns of the
    MOOC notebook's output, exported to `exports/mooc_sessions.parquet`.
    Incremental: the sessions changed since the last run (those in each affected user's
    recompute range) are deleted and rebuilt.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_affected_sessions(\"'mooc'\") }}",
    post_hook="{{ record_mart_watermark() }}",
) }}
-- depends_on: {{ ref('int_session_recompute_ranges') }}

with

interactions as (
    select sessionized.* from {{ ref('int_events_sessionized') }} as sessionized
    where
        {{ resessionized_since_watermark('sessionized._sessionized_at') }}
        and sessionized.source = 'mooc'
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
