{#-
    Every MOOC interaction with its session (grain: one row per interaction): the columns of the
    MOOC notebook's output, exported to `exports/mooc_sessions.parquet`.
    Incremental (session_ranges): the sessions this run rebuilds (int_sessions_this_run) are
    deleted and inserted again.
-#}
{{ config(materialized='incremental', incremental_strategy='session_ranges', source_name='mooc') }}

with

sessions_this_run as (
    select * from {{ ref('int_sessions_this_run') }}
),

sessionized_events as (
    select * from {{ ref('int_events_sessionized') }}
),

interactions as (
    -- The MOOC events of the sessions this run rebuilds (every one when built whole).
    select sessionized_events.* from sessionized_events
    {{ in_sessions_this_run('sessionized_events', 'sessions_this_run', stamp='_sessionized_at') }}
    where sessionized_events.source = 'mooc'
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
)

select * from renamed
