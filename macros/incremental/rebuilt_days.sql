{#-
    The (source, UTC day) pairs that a mart of days rebuilds: the days of the events of the
    sessions this run rebuilds (`sessionized_events` and `sessions_this_run`: aliases of
    int_events_sessionized and int_sessions_this_run). A session belongs to its first event's
    day, and every session that changed, both as it was and as it is now, consists of such
    events (a range covers whole sessions, and events are never removed), so these include
    every day that gained, lost or changed a session; every day when the mart is built whole.
    With retention on, the days before their source's retention cut (from `user_sessions`, an
    alias of the mart) are final: their sessions may be deleted, so an incremental run never
    counts them again.
-#}
{% macro rebuilt_days(sessionized_events, sessions_this_run, user_sessions) -%}
    {%- set trims = is_incremental() and var('retention_days') is not none -%}
    select distinct
        events.source,
        {{ sessions.utc_date('events.event_time') }} as session_date
    from {{ sessionized_events }} as events
    {{ sessions.in_sessions_this_run('events', sessions_this_run, stamp='_sessionized_at') }}
    {%- if trims %}
    left join ({{ sessions.retention_cutoffs(user_sessions) }}) as cutoffs
        on events.source = cutoffs.source
    where
        cutoffs.expires_before is null
        or {{ sessions.utc_date('events.event_time') }} >= {{ sessions.utc_date('cutoffs.expires_before') }}
    {%- endif %}
{%- endmacro %}
