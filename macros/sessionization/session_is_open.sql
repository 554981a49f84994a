{#-
    The condition that a session is open at `as_of` (SQL expressions): it is the last session
    of its stream (`last_session_number`, from stream_last_sessions; null when the stream has
    no event within the gap), it was not closed by an explicit session end (`is_closed`), and
    its last event (`end_time`) is at or before as_of and within the source's inactivity gap
    of it. The one rule of is_open, active_sessions and the in_progress workflows.
-#}
{% macro session_is_open(session_number, last_session_number, end_time, is_closed, as_of, source) -%}
    coalesce(
        {{ session_number }} = {{ last_session_number }}
        and not {{ is_closed }}
        and {{ end_time }} <= {{ as_of }}
        and not {{ sessions.gap_exceeded(end_time, as_of, sessions.source_inactivity_seconds(source)) }},
        false
    )
{%- endmacro %}
