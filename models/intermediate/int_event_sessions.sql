{#-
    The session of every canonical event (grain: one row per event), narrow: the event's keys,
    its session and its place in it. Sessions are computed per (source, user_id,
    client_session_key), user_id after identity stitching and client_session_key the client
    session id ('' when the event has none: concurrent tabs of one user stay apart), with the
    source's own inactivity gap; for the product tracking source an explicit session_start
    opens a session and an event after a session_end opens a new one. The event's attributes
    stay where they are: int_events_sessionized joins them on (source, event_id).

    Incremental: only the latest ranges (int_session_recompute_ranges) are sessionized again
    (one old session holding only new plain events, or every session from the one containing
    or preceding a user's earliest other change), each range on its own, and replace the rows
    of the same events. The result is the same as sessionizing everything: the sessions
    outside the ranges cannot change, and session numbers continue after each range's offset.
    A range's events are those already in this model ({{ this }}: its own previous state, read
    back with their previous session) plus this run's changed events (int_events_changed): the
    run never scans the whole event stream.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['source', 'event_id'],
) }}

{%- set event_columns = event_session_keys() %}

with

-- The ranges and the changes are read by an incremental run only.
recompute_ranges as (  -- noqa: ST03
    select * from {{ ref('int_session_recompute_ranges') }}
),

changes as (  -- noqa: ST03
    select * from {{ ref('int_events_changed') }}
),

stitched_events as (  -- noqa: ST03
    select * from {{ ref('int_events_stitched') }}
),

{% if is_incremental() %}
new_ranges as (
    -- The ranges computed since this model last ran, the latest per user: each run works out
    -- its changes against this model as it stands, so a user's latest ranges cover the ones
    -- of a run that stopped before applying them. A user's ranges of one run are disjoint.
    select * from recompute_ranges
    where _computed_at > (select max(prior._sessionized_at) from {{ this }} as prior)
    qualify _computed_at = max(_computed_at) over (partition by source, user_id, client_session_key)
),

changed_events as (
    -- Events loaded since the last run, and earlier events whose anonymousId's stitched user
    -- changed, with their new owner (int_events_changed).
    select * from changes
    where change_kind in ('new', 'moved_to')
),

prior_events_in_ranges as (
    -- The events already sessionized in the sessions of each range, with the session they
    -- were in. An event that comes again among the changed events (it changes owner, or the
    -- event stream was rebuilt) is taken from there.
    select
        {%- for column in event_columns %}
        prior.{{ column }},
        {%- endfor %}
        prior.session_id as previous_session_id,
        new_ranges.session_number_offset
    from {{ this }} as prior
    inner join new_ranges
        on
            prior.source = new_ranges.source
            and prior.user_id = new_ranges.user_id
            and prior.client_session_key = new_ranges.client_session_key
    left join changed_events
        on
            prior.source = changed_events.source
            and prior.event_id = changed_events.event_id
    where
        {{ session_in_range('prior.session_number', 'new_ranges') }}
        and changed_events.event_id is null
),

changed_events_in_ranges as (
    -- Every changed event belongs to a range of its owner (int_session_recompute_ranges): the
    -- last one starting at or before it.
    select
        {%- for column in event_columns %}
        changed_events.{{ column }},
        {%- endfor %}
        changed_events.previous_session_id,
        new_ranges.session_number_offset
    from changed_events
    inner join new_ranges
        on
            changed_events.source = new_ranges.source
            and changed_events.user_id = new_ranges.user_id
            and changed_events.client_session_key = new_ranges.client_session_key
            and (new_ranges.from_event_time is null or changed_events.event_time >= new_ranges.from_event_time)
    qualify row_number() over (
        partition by changed_events.source, changed_events.event_id
        order by new_ranges.session_number_offset desc
    ) = 1
),

events_in_ranges as (
    select
        *,
        {{ source_inactivity_seconds('source') }} as inactivity_seconds
    from (
        select * from prior_events_in_ranges
        union all
        select * from changed_events_in_ranges
    ) as events_to_sessionize
),
{% else %}
events_in_ranges as (
    select
        {%- for column in event_columns %}
        stitched_events.{{ column }},
        {%- endfor %}
        cast(null as {{ dbt.type_string() }}) as previous_session_id,
        {{ source_inactivity_seconds('stitched_events.source') }} as inactivity_seconds
    from stitched_events
),
{% endif %}

-- int_events_unioned ranks an event at one instant by the registry's explicit session rules
-- (explicit_session_boundary): 0 for an explicit start, 2 for an explicit end.
sessionized as (
    {{ sessionize(
        relation='events_in_ranges',
        partition_by=['source', 'user_id', 'client_session_key'],
        event_time='event_time',
        event_id='event_id',
        tiebreakers=['event_sort_rank'],
        inactivity_seconds='inactivity_seconds',
        starts_session_expression='event_sort_rank = 0',
        ends_session_expression='event_sort_rank = 2',
        range_by=['session_number_offset'] if is_incremental() else [],
        columns=['anonymous_id', '_loaded_at', 'previous_session_id'],
    ) }}
),

numbered as (
    select
        {%- for column in event_columns + [
            'previous_session_id', 'inactivity_seconds', 'is_new_session', 'event_number_in_session', 'session_id',
        ] %}
        sessionized.{{ column }},
        {%- endfor %}
        sessionized.session_number + {{ 'sessionized.session_number_offset' if is_incremental() else '0' }}
            as session_number,
        -- Within the session only: the same whether or not earlier sessions were recomputed.
        case when not sessionized.is_new_session then sessionized.previous_event_time end
            as previous_event_time,
        case when not sessionized.is_new_session then sessionized.seconds_since_previous_event end
            as seconds_since_previous_event,
        {{ run_stamp() }} as _sessionized_at
    from sessionized
)

select * from numbered
