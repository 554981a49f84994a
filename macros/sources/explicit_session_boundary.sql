{#-
    The registry's explicit session rules, as a condition on an event (columns `source` and
    `event_type`, optionally qualified by `prefix`): `kind` 'start' is true for an event that
    always opens a session, 'end' for one after which the next event opens a session. Used by
    the sessionization, the recompute ranges (which new events can split a session), the order of
    events at one instant and the exit reason.
-#}
{% macro explicit_session_boundary(kind, prefix='') -%}
    {%- if kind not in ('start', 'end') -%}
        {{ exceptions.raise_compiler_error("explicit_session_boundary: kind must be 'start' or 'end'") }}
    {%- endif -%}
    {%- set conditions = [] -%}
    {%- for source_name, entry in sessions.source_registry().items() -%}
        {%- set event_type = entry['session_' ~ kind ~ '_event_type'] -%}
        {%- if event_type is not none -%}
            {%- do conditions.append(
                "(" ~ prefix ~ "source = '" ~ source_name ~ "' and " ~ prefix ~ "event_type = '" ~ event_type ~ "')"
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    ({{ conditions | join(' or ') if conditions else 'false' }})
{%- endmacro %}
