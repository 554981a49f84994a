{#-
    A query: per stream (source, user_id, client_session_key) with an event within its
    source's gap of `as_of` (or after it), the number of its last session. Only such a stream
    can have a session open at `as_of` (see session_is_open), and its last session holds its
    latest event, so reading the recent events (`events`: an alias or relation of
    int_event_sessions, the narrow table of each event's session) is enough.
-#}
{% macro stream_last_sessions(events, as_of) -%}
    select
        recent_events.source,
        recent_events.user_id,
        recent_events.client_session_key,
        max(recent_events.session_number) as last_session_number
    from {{ events }} as recent_events
    where not {{ sessions.gap_exceeded(
        'recent_events.event_time', as_of, sessions.source_inactivity_seconds('recent_events.source')
    ) }}
    group by recent_events.source, recent_events.user_id, recent_events.client_session_key
{%- endmacro %}
