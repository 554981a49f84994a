{#- One row per MOOC session: how much was watched and how it was rated. -#}
with

interactions as (
    select * from {{ ref('mooc_interaction_sessions') }}
),

per_session as (
    select
        session_id,
        user_id,
        session_number,
        count(*) as interaction_count,
        count(distinct item_id) as distinct_items,
        cast(round(avg(watch_percentage), 2) as decimal(18, 2)) as avg_watch_percentage,
        count(rating) as rated_interactions,
        cast(round(avg(rating), 2) as decimal(18, 2)) as avg_rating
    from interactions
    group by session_id, user_id, session_number
)

select * from per_session
