{#-
    A where-clause condition of a session_mart (see the materialization) on a column stamped by
    the run that wrote the row (`_computed_at` of the recompute ranges, `_sessionized_at` of the
    sessionized events): the rows written since the mart's watermark, i.e. the ranges it has
    not applied yet and the events of their sessions (a range always covers whole sessions, from
    the first event of the session containing or preceding the earliest change on). The
    watermark is a literal, so the scan reads only the row groups written since. True on a full
    refresh.
-#}
{% macro since_watermark(column) -%}
    {%- if is_incremental() -%}
        {{ column }} > {{ sessions.mart_watermark() }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
