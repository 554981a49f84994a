{#-
    Every MOOC interaction with its session (grain: one row per interaction): the columns of the
    MOOC notebook's output, exported to `exports/mooc_sessions.parquet`.
    Incremental (session_mart): the sessions of the recompute ranges not applied yet are
    deleted and rebuilt.
-#}
{{ config(materialized='session_mart', source_name='mooc') }}

with

recompute_ranges as (
    -- The recompute ranges this mart has not applied yet (every range on a full refresh).
    select * from {{ ref('int_session_recompute_ranges') }}
    where {{ since_watermark('_computed_at') }} and source = 'mooc'
),

interactions as (
    -- The events of those sessions: sessionized again since the watermark.
    select * from {{ ref('int_events_sessionized') }}
    where {{ since_watermark('_sessionized_at') }} and source = 'mooc'
),

renamed as (
    select
        event_id,
        user_id,
        item_id,
        {{ epoch_seconds('event_time') }} as ts_epoch,
        session_id,
        session_number,
        {{ json_path_double('properties', '$.watch_percentage') }} as watch_percentage,
        {{ json_path_double('properties', '$.rating') }} as rating
    from interactions
    where {{ session_in_ranges('recompute_ranges', "'mooc'", 'interactions.user_id', 'interactions.session_number') }}
)

select * from renamed
