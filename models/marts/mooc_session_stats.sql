{#-
    One row per MOOC session: how much was watched and how it was rated.
    Incremental: the sessions changed since the last run (those in each affected user's
    recompute range) are deleted and rebuilt.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_affected_sessions(\"'mooc'\") }}",
    post_hook="{{ record_mart_watermark(rebuilt_from='mooc_interaction_sessions') }}",
) }}
-- depends_on: {{ ref('int_session_recompute_ranges') }}

with

interactions as (
    select interactions.* from {{ ref('mooc_interaction_sessions') }} as interactions
    where {{ affected_sessions_filter("'mooc'", 'interactions.user_id', 'interactions.session_number') }}
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
