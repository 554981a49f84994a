{#-
    The sessions of the users this run changes, as the sessionization left them (grain: one row
    per source, user, client session and session): first and last event time. What int_session_recompute_ranges
    locates each change in. Empty when there is nothing to continue from (whole-history changes
    only, or no earlier sessionization).
-#}
{{ config(materialized='table') }}
{%- set previous = source('sessions_state', 'previous_sessionized_events') %}

with

changes as (
    select * from {{ ref('int_events_changed') }}
),

affected_users as (
    select distinct
        source,
        user_id,
        client_session_key
    from changes
    where change_kind <> 'whole_history'
),

{% if execute and sessions.incremental_runs() and load_relation(previous) is not none %}
previous_events as (
    select * from {{ previous }}
),

summarized as (
    -- The one scan of the history in a run's change detection.
    select
        previous_events.source,
        previous_events.user_id,
        previous_events.client_session_key,
        previous_events.session_number,
        min(previous_events.event_time) as first_event_time,
        max(previous_events.event_time) as last_event_time
    from previous_events
    inner join affected_users
        on
            previous_events.source = affected_users.source
            and previous_events.user_id = affected_users.user_id
            and previous_events.client_session_key = affected_users.client_session_key
    group by
        previous_events.source,
        previous_events.user_id,
        previous_events.client_session_key,
        previous_events.session_number
)
{% else %}
summarized as (
    select
        source,
        user_id,
        client_session_key,
        cast(null as bigint) as session_number,
        cast(null as {{ type_timestamptz() }}) as first_event_time,
        cast(null as {{ type_timestamptz() }}) as last_event_time
    from affected_users
    where false
)
{% endif %}

select * from summarized
