{#- One row per MOOC session: how much was watched and how it was rated. 
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
    select * from {{ ref('mooc_interaction_sessions') }}
    where {{ affected_users_condition("'mooc'") }}
),

per_session as (
    select
        session_id,
        user_id,
        session_number,
        count(*) as interaction_count,
        count(distinct item_id) as distinct_items,
        -- Summed as decimals: the result cannot depend on the order rows are added in.
        cast(
            round(sum(cast(watch_percentage as decimal(18, 6))) / count(watch_percentage), 2)
            as decimal(18, 2)
        ) as avg_watch_percentage,
        count(rating) as rated_interactions,
        cast(
            round(sum(cast(rating as decimal(18, 6))) / count(rating), 2) as decimal(18, 2)
        ) as avg_rating
    from interactions
    group by session_id, user_id, session_number
)

select * from per_session
