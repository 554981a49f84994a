{#-
    A where-clause condition on int_events_sessionized keeping the events an incremental mart
    rebuilds its rows from: those sessionized again since the mart's watermark. They are exactly
    the events of the sessions in the recompute ranges it has not applied (the rows
    `delete_affected_sessions` removes): a range always covers whole sessions, from the first
    event of the session containing or preceding the earliest change on (to the last session of
    a bounded range). The watermark is a literal, so the scan reads only the row groups written
    since. True on a full refresh.
-#}
{% macro resessionized_since_watermark(column='_sessionized_at') -%}
    {%- if is_incremental() -%}
        {{ column }} > {{ sessions.mart_watermark() }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
