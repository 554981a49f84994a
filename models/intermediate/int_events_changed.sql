{#-
    What this run must sessionize again (grain: one row per change): the events loaded since the
    sessionization last ran (change_kind `new`), and the events whose stitched owner changed (an
    anonymousId newly paired with a userId): once with their new owner (`moved_to`, with the
    session they were in as previous_session_id) and once as they were (`moved_from`, with
    their former owner). When there is no earlier sessionization to continue from (the first
    run, a full refresh) every user's whole history is sessionized again: one `whole_history`
    row per user and client session (source, user_id, client_session_key), the other event
    columns null.
    Reads the sessionization's previous state (the declared source
    sessions_state.previous_sessionized_events): the one place a run compares with it.
-#}
{{ config(materialized='table') }}
{%- set previous = source('sessions_state', 'previous_sessionized_events') %}
{%- set continues = execute and sessions.incremental_runs() and not flags.FULL_REFRESH
    and load_relation(previous) is not none %}

with

-- Not materialized, here and below: each use takes its own few rows (the filters on the load
-- stamp and the anonymousIds reach the table scans).
stitched_events as {{ not_materialized() }} (
    select * from {{ ref('int_events_stitched') }}
),

-- Read only when continuing from an earlier sessionization.
identities as (  -- noqa: ST03
    select * from {{ ref('int_anonymous_ids_stitched') }}
),

{% if continues %}
{%- set loaded_through = latest_timestamp(previous, '_loaded_at') %}
previous_events as {{ not_materialized() }} (
    select * from {{ previous }}
),

restitched_anonymous_ids as (
    -- anonymousIds whose stitched user changed since the sessionization last ran.
    select anonymous_id from identities
    where _loaded_at > {{ loaded_through }}
),

new_events as (
    -- Loaded since the sessionization last ran (only the newest row groups are read).
    select
        *,
        'new' as change_kind
    from stitched_events
    where _loaded_at > {{ loaded_through }}
),

moved_from as (
    -- Earlier events of those anonymousIds, with their former owner (the session's keys: the
    -- other columns are null)...
    select
        {%- for column in event_session_keys() %}
        {{ column }},
        {%- endfor %}
        'moved_from' as change_kind,
        session_id as previous_session_id
    from previous_events
    where anonymous_id in (select restitched_anonymous_ids.anonymous_id from restitched_anonymous_ids)
),

moved_to as (
    -- ... and with their new owner, remembering the session they were in.
    select
        stitched_events.*,
        'moved_to' as change_kind,
        moved_from.previous_session_id
    from stitched_events
    inner join moved_from
        on
            stitched_events.source = moved_from.source
            and stitched_events.event_id = moved_from.event_id
    where
        stitched_events._loaded_at <= {{ loaded_through }}
        -- Redundant with the join, but it lets the scan keep only those anonymousIds' events.
        and stitched_events.anonymous_id in (
            select restitched_anonymous_ids.anonymous_id from restitched_anonymous_ids
        )
),

changes as (
    select * from new_events
    union all by name
    select * from moved_to
    union all by name
    select * from moved_from
)
{% else %}
users_with_events as (
    select distinct
        source,
        user_id,
        client_session_key
    from stitched_events
),

changes as (
    -- Nothing to continue from: one whole-history row per user and client session, the other
    -- event columns null (typed by the empty first part).
    select
        *,
        cast(null as {{ dbt.type_string() }}) as change_kind,
        cast(null as {{ dbt.type_string() }}) as previous_session_id
    from stitched_events
    where false
    union all
    select
        {%- for column in stitched_event_columns() %}
        {{ column if column in ('source', 'user_id', 'client_session_key') else 'null' }},
        {%- endfor %}
        'whole_history' as change_kind,
        null as previous_session_id
    from users_with_events
)
{% endif %}

select * from changes
