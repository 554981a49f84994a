{#-
    One row per MOOC session: how much was watched and how it was rated.
    Incremental (session_mart): the sessions of the recompute ranges not applied yet are
    deleted and rebuilt.
-#}
{{ config(materialized='session_mart', source_name='mooc', rebuilt_from='mooc_interaction_sessions') }}

with

recompute_ranges as (
    -- The recompute ranges this mart has not applied yet (every range on a full refresh).
    select * from {{ ref('int_session_recompute_ranges') }}
    where {{ since_watermark('_computed_at') }} and source = 'mooc'
),

all_interactions as (
    select * from {{ ref('mooc_interaction_sessions') }}
),

interactions as (
    -- The interactions of those sessions.
    select * from all_interactions
    where {{ session_in_ranges(
        'recompute_ranges', "'mooc'", 'all_interactions.user_id', 'all_interactions.session_number'
    ) }}
),

per_session as (
    select
        session_id,
        user_id,
        session_number,
        count(*) as interaction_count,
        count(distinct item_id) as distinct_items,
        -- Means of each value's exact decimal: rounding is half away from zero on the exact
        -- mean, and the result cannot depend on the order rows are added in.
        {{ ratio_half_up(
            'sum(' ~ decimal_units('watch_percentage') ~ ')',
            'count(watch_percentage) * ' ~ decimal_units_per_one(),
        ) }} as avg_watch_percentage,
        count(rating) as rated_interactions,
        {{ ratio_half_up(
            'sum(' ~ decimal_units('rating') ~ ')',
            'count(rating) * ' ~ decimal_units_per_one(),
        ) }} as avg_rating
    from interactions
    group by session_id, user_id, session_number
)

select * from per_session
