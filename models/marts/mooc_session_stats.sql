{#-
    One row per MOOC session: how much was watched and how it was rated.
    Incremental (session_ranges): the sessions this run rebuilds (int_sessions_this_run) are
    deleted and inserted again.
-#}
{{ config(materialized='incremental', incremental_strategy='session_ranges', source_name='mooc') }}

with

sessions_this_run as (
    select * from {{ ref('int_sessions_this_run') }}
),

all_interactions as (
    select * from {{ ref('mooc_interaction_sessions') }}
),

interactions as (
    -- The interactions of the sessions this run rebuilds (every one when built whole).
    select all_interactions.* from all_interactions
    {{ in_sessions_this_run('all_interactions', 'sessions_this_run', source="'mooc'", client_session_key="''") }}
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
