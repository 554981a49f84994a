{#-
    What each run loaded and changed (grain: one row per dbt invocation that built this model):
    files and events loaded, events that arrived late (earlier than the last event already
    processed for their user), and the sessions it created, extended, merged and removed.
-#}
{{ config(materialized='incremental', incremental_strategy='append') }}

with

input_records as (
    select * from {{ ref('int_input_records_unioned') }}
),

events as (
    select * from {{ ref('int_events_unioned') }}
),

recompute_ranges as (
    select * from {{ ref('int_session_recompute_ranges') }}
),

sessionized_events as (
    select * from {{ ref('int_event_sessions') }}
),

loaded_records as (
    -- Each model stamps what this run wrote with the run's stamp (see run_stamp).
    select
        source,
        file_name,
        is_blank,
        rejection_reason
    from input_records
    where _loaded_at = {{ run_stamp() }}
),

loads as (
    select
        count(distinct source || '|' || file_name) as files_loaded,
        count(*) filter (where not is_blank) as records_read,
        count(*) filter (where rejection_reason is not null) as records_quarantined
    from loaded_records
),

loaded_events as (
    select count(*) as events_loaded
    from events
    where _loaded_at = {{ run_stamp() }}
),

ranges as (
    select
        count(distinct source || '|' || user_id) as users_affected,
        coalesce(sum(late_events), 0) as late_events
    from recompute_ranges
    where _computed_at = {{ run_stamp() }}
),

resessionized as (
    select * from sessionized_events
    where _sessionized_at = {{ run_stamp() }}
),

new_sessions as (
    select
        session_id,
        count(distinct previous_session_id) as sessions_before,
        bool_or(previous_session_id is null) as has_new_events
    from resessionized
    group by session_id
),

removed_sessions as (
    select distinct previous_session_id as session_id
    from resessionized
    where
        previous_session_id is not null
        and previous_session_id not in (select new_sessions.session_id from new_sessions)
),

session_changes as (
    select
        count(*) filter (where sessions_before = 0) as sessions_created,
        count(*) filter (where sessions_before = 1 and has_new_events) as sessions_extended,
        count(*) filter (where sessions_before > 1) as sessions_merged,
        (select count(*) from removed_sessions) as sessions_removed,
        (select count(*) from resessionized) as events_resessionized
    from new_sessions
),

run as (
    select
        '{{ invocation_id }}' as invocation_id,
        {{ run_started_timestamp() }} as run_started_at,
        {{ 'true' if (flags.FULL_REFRESH or not is_incremental()) else 'false' }} as is_full_refresh,
        loads.files_loaded,
        loads.records_read,
        loads.records_quarantined,
        loaded_events.events_loaded,
        ranges.late_events,
        ranges.users_affected,
        session_changes.events_resessionized,
        session_changes.sessions_created,
        session_changes.sessions_extended,
        session_changes.sessions_merged,
        session_changes.sessions_removed
    from loads
    cross join loaded_events
    cross join ranges
    cross join session_changes
)

select * from run
