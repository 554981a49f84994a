{#-
    The (source, UTC day) pairs whose daily statistics an incremental run recomputes: the days of
    the events sessionized again since the mart's watermark. A session belongs to the day of its
    first event, and every session that changed, both as it was and as it is now, consists of
    such events (a recompute range covers whole sessions, and events are never removed), so these
    days include every day that gained, lost or changed a session. Days of the other events of
    those sessions come along: they are recomputed to the same values.
-#}
{% macro resessionized_days() -%}
    select distinct
        sessionized.source,
        {{ sessions.utc_date('sessionized.event_time') }} as session_date
    from {{ ref('int_events_sessionized') }} as sessionized
    where {{ sessions.resessionized_since_watermark('sessionized._sessionized_at') }}
{%- endmacro %}
