{#-
    One row per valid MOOC interaction. Rows carry no id and two equal rows are two interactions,
    so the event id is a content hash plus the occurrence number among equal rows. Incremental:
    appends the rows loaded since the last run.
-#}
{{ config(materialized='incremental', incremental_strategy='append') }}

with

pending_rows as (
    select * from {{ ref('base_mooc__interaction_rows') }}
    where rejection_reason is null and {{ pending_rows_filter() }}
),

keyed as (
    select
        *,
        {{ surrogate_key(['user_id', 'item_id', 'ts_epoch', 'watch_percentage', 'rating']) }}
            as content_key
    from pending_rows
),

numbered as (
    select
        *,
        {{ occurrence_number('keyed') }} as occurrence_number
    from keyed
),

renamed as (
    select
        {{ surrogate_key(['content_key', 'occurrence_number']) }} as event_id,
        user_id,
        item_id,
        ts_epoch,
        event_time,
        watch_percentage,
        rating,
        content_key,
        file_name,
        line_number,
        _loaded_at
    from numbered
)

select * from renamed
