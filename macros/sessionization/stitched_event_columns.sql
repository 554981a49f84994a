{#-
    The columns of int_events_stitched, in order: the canonical stream's columns and the event's
    category and sort rank, then source_user_id (the identity the event was sent with), user_id
    (after stitching) and client_session_key (the client session id, '' when the event has none:
    sessions are cut per source, user_id and client_session_key).
-#}
{% macro stitched_event_columns() -%}
    {%- set columns = [] -%}
    {%- for name, data_type in sessions.canonical_event_columns() if name != 'user_id' -%}
        {%- do columns.append(name) -%}
    {%- endfor -%}
    {{ return(columns + ['event_category', 'is_message', 'event_sort_rank', 'source_user_id', 'user_id', 'client_session_key']) }}
{%- endmacro %}
