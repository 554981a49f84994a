{#-
    The event columns that int_event_sessions keeps beside each event's session: the
    sessionization's keys (partition, time, tiebreaker, id), the anonymousId and load stamp
    the change detection reads back. int_events_sessionized takes these from int_event_sessions
    and every other event column from int_events_stitched.
-#}
{% macro event_session_keys() -%}
    {{ return([
        'source', 'event_id', 'user_id', 'client_session_key', 'anonymous_id', 'event_time',
        'event_sort_rank', '_loaded_at',
    ]) }}
{%- endmacro %}
