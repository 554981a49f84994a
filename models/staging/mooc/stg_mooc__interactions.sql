{#-
    One row per valid MOOC interaction: the usable rows of base_mooc__interaction_rows, which
    computes each event's id where the row is read. A view: the events are stored once, in the
    base model, and a reader's filter on _loaded_at reaches its scan.
-#}
{{ config(materialized='view') }}

with

interaction_rows as (
    select * from {{ ref('base_mooc__interaction_rows') }}
),

interactions as (
    select
        event_id,
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
    from interaction_rows
    where not is_blank and rejection_reason is null
)

select * from interactions
