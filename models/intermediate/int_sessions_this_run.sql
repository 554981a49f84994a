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
    Clock ranges: whether a session is open (session_is_open) depends on the build's as_of,
    which moves with no event of the session: a session open at a mart's previous as_of may
    have closed by time alone, or stopped being its stream's last (a new session after it
    covers only the new one), and a closed one may be open at an as_of set back. So the view
    adds, per stream with a session ending within the gap of the earlier of this build's as_of
    and the marts' earliest recorded as_of (int_incremental_manifest), one open range from the
    first such session on. Every session open at either moment lies in it. When every session
    mart was built at this build's as_of, only the streams with changed ranges get one (a new
    event can still end a stream's open session by opening a later one). Its _computed_at is
    the earliest _sessionized_at of its events (all events of a session carry the stamp of the
    run that last sessionized it), so in_sessions_this_run reads them all.
-#}
{{ config(materialized='view') }}
{%- set session_marts = [] %}
{#- A unit test renders the model without the project's graph: every manifest row counts. #}
{%- for node in (graph.nodes or {}).values() if node.config.get('incremental_strategy') == 'session_ranges' %}
{%- do session_marts.append(node.name) %}
{%- endfor %}

with

recompute_ranges as (
    select * from {{ ref('int_session_recompute_ranges') }}
),

manifest as (
    select * from {{ ref('int_incremental_manifest') }}
),

event_sessions as (
    select * from {{ ref('int_event_sessions') }}
),

session_mart_states as (
    -- A mart that has not been built yet has no row (it is built whole); a mart no longer in
    -- the project does not hold the others back.
    select * from manifest
    where {{ "model_name in ('" ~ session_marts | join("', '") ~ "')" if session_marts else 'true' }}
),

earliest_applied as (
    select coalesce(min(applied_through), {{ minus_infinity_timestamp() }}) as applied_through
    from session_mart_states
),

build_moment as (
    select {{ build_as_of('event_sessions') }} as as_of
),

clock_moment as (
    -- The earlier of this build's as_of and the earliest as_of a session mart recorded.
    select
        least(
            build_moment.as_of,
            coalesce((select min(session_mart_states.as_of) from session_mart_states), build_moment.as_of)
        ) as as_of
    from build_moment
),

changed_ranges as (
    -- The ranges of the runs the session marts have not all applied.
    select recompute_ranges.*
    from recompute_ranges
    cross join earliest_applied
    where recompute_ranges._computed_at > earliest_applied.applied_through
),

clock_moved as (
    -- Whether a session mart was built at another as_of (or recorded none): only then can a
    -- session open or close by the clock.
    select
        coalesce(
            max(
                case
                    when session_mart_states.as_of is null or session_mart_states.as_of <> build_moment.as_of
                        then 1
                    else 0
                end
            ) = 1,
            false
        ) as has_moved
    from session_mart_states
    cross join build_moment
),

clock_ranges as (
    select
        recent_events.source,
        recent_events.user_id,
        recent_events.client_session_key,
        min(recent_events.session_number) - 1 as session_number_offset,
        cast(null as bigint) as session_number_limit,
        -- No changed event: only the marts rewrite it.
        cast(null as {{ type_timestamptz() }}) as from_event_time,
        min(recent_events._sessionized_at) as _computed_at
    from event_sessions as recent_events
    cross join clock_moment
    cross join clock_moved
    where
        not {{ gap_exceeded(
            'recent_events.event_time', 'clock_moment.as_of', source_inactivity_seconds('recent_events.source')
        ) }}
        -- With as_of where it was, only a stream's own new events (its changed ranges) can end
        -- its open session, by opening a later one.
        and (
            clock_moved.has_moved
            or exists (
                select 1 from changed_ranges
                where
                    changed_ranges.source = recent_events.source
                    and changed_ranges.user_id = recent_events.user_id
                    and changed_ranges.client_session_key = recent_events.client_session_key
            )
        )
    group by recent_events.source, recent_events.user_id, recent_events.client_session_key
),

ranges_this_run as (
    select
        source,
        user_id,
        client_session_key,
        session_number_offset,
        session_number_limit,
        from_event_time,
        _computed_at
    from changed_ranges
    union all
    select
        source,
        user_id,
        client_session_key,
        session_number_offset,
        session_number_limit,
        from_event_time,
        _computed_at
    from clock_ranges
)

select * from ranges_this_run
