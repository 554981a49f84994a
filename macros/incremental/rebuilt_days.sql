{#-
    The (source, UTC day) pairs that a mart of days rebuilds: the days of the events of the
    sessions this run rebuilds (`sessionized_events` and `sessions_this_run`: aliases of
    int_event_sessions, or int_events_sessionized, and int_sessions_this_run). A session belongs to its first event's
    day, and every session that changed, both as it was and as it is now, consists of such
    events (a range covers whole sessions, and events are never removed), so these include
    every day that gained, lost or changed a session; every day when the mart is built whole.
    After a retention run, the days up to the UTC day of the latest cut it applied (the log
    retention_runs) are final: their sessions may be deleted (on the cut's day, those that
    ended before it), so an incremental run never counts them again.
-#}
{% macro rebuilt_days(sessionized_events, sessions_this_run) -%}
    {#- Rendered while dbt parses too: retention_runs is upstream of every mart of days. -#}
    {%- set applied_cut = sessions.retention_applied_cut() -%}
    {%- set trims = is_incremental() -%}
    select distinct
        events.source,
        {{ sessions.utc_date('events.event_time') }} as session_date
    from {{ sessionized_events }} as events
    {{ sessions.in_sessions_this_run('events', sessions_this_run, stamp='_sessionized_at') }}
    {%- if trims %}
    where
        {{ applied_cut }} is null
        or {{ sessions.utc_date('events.event_time') }} > {{ sessions.utc_date(applied_cut) }}
    {%- endif %}
{%- endmacro %}
