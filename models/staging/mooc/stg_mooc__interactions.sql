{#-
    One row per valid MOOC interaction. Rows carry no id and two equal rows are two interactions,
    so the event id is a content hash plus the occurrence number among equal rows.
-#}
with

valid_rows as (
    select * from {{ ref('base_mooc__interaction_rows') }}
    where rejection_reason is null
),

numbered as (
    select
        *,
        row_number() over (
            partition by user_id, item_id, ts_epoch, watch_percentage, rating
            order by file_name, line_number
        ) as occurrence_number
    from valid_rows
),

renamed as (
    select
        {{ surrogate_key([
            'user_id',
            'item_id',
            'ts_epoch',
            'watch_percentage',
            'rating',
            'occurrence_number',
        ]) }} as event_id,
        user_id,
        item_id,
        ts_epoch,
        event_time,
        watch_percentage,
        rating,
        file_name,
        line_number
    from numbered
)

select * from renamed
