{#-
    The build's as_of, as an SQL expression: the moment open sessions are judged at. The var
    `as_of` (ISO-8601 text) when set, else the latest event time in the sessionized events
    (`events`: the relation to read, by default int_events_sessionized). The one definition
    used by user_sessions, abandoned_workflows, active_sessions, int_sessions_this_run and the
    marts' state (int_incremental_manifest.as_of).
-#}
{% macro build_as_of(events=none) -%}
    {%- if var('as_of') is not none -%}
        {{ sessions.utc_timestamp("'" ~ (var('as_of') | string | replace("'", "''")) ~ "'") }}
    {%- else -%}
        (select max(latest_events.event_time) from {{ events or ref('int_event_sessions') }} as latest_events)
    {%- endif -%}
{%- endmacro %}
