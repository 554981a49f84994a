{#-
    What this run rebuilds in the session marts (grain: one row per recompute range): the
    sessions numbered after session_number_offset up to session_number_limit (null: every
    later session) of each (source, user_id, client_session_key), as int_session_recompute_ranges computed them in
    the runs the session marts have not all applied yet. Their events are those of
    int_events_sessionized in those sessions sessionized at or after the range's _computed_at
    (the join is in_sessions_this_run), their days are the UTC days of those events, their
    users the ranges' users.
    Every session mart reads this model and nothing else to know what to rebuild; the
    session_ranges incremental strategy deletes the mart's rows of these ranges before
    inserting the new ones. The runs covered are those after the earliest applied_through of
    the marts in int_incremental_manifest: a mart that was left out of a run, or failed, has
    its ranges rebuilt by the next run that includes it (the other marts rebuild them again,
    which gives the same rows). A mart being built whole records -infinity first, so it reads
    every range. A view: each mart reads it as the manifest stands when the mart runs.
-#}
{{ config(materialized='view') }}
{%- set session_marts = [] %}
{%- for node in graph.nodes.values() if node.config.get('incremental_strategy') == 'session_ranges' %}
{%- do session_marts.append(node.name) %}
{%- endfor %}

with

recompute_ranges as (
    select * from {{ ref('int_session_recompute_ranges') }}
),

manifest as (
    select * from {{ ref('int_incremental_manifest') }}
),

earliest_applied as (
    -- A mart that has not been built yet has no row (it is built whole); a mart no longer in
    -- the project does not hold the others back.
    select coalesce(min(applied_through), {{ minus_infinity_timestamp() }}) as applied_through
    from manifest
    where model_name in (
        {%- for name in session_marts %}
        '{{ name }}'{{ ',' if not loop.last }}
        {%- endfor %}
    )
),

ranges_this_run as (
    select
        recompute_ranges.source,
        recompute_ranges.user_id,
        recompute_ranges.client_session_key,
        recompute_ranges.session_number_offset,
        recompute_ranges.session_number_limit,
        recompute_ranges.from_event_time,
        recompute_ranges._computed_at
    from recompute_ranges
    cross join earliest_applied
    where recompute_ranges._computed_at > earliest_applied.applied_through
)

select * from ranges_this_run
