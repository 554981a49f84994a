{#-
    The product tracking source's explicit session rules, as conditions on an event (columns
    `source` and `event_type`, optionally qualified by `prefix`): `kind` 'start' is true for an
    event that always opens a session, 'end' for one after which the next event opens a session.
    Shared by the sessionization and by the recompute ranges, which must know which new events
    can split a session.
-#}
{% macro explicit_session_boundary(kind, prefix='') -%}
    {%- if kind not in ('start', 'end') -%}
        {{ exceptions.raise_compiler_error("explicit_session_boundary: kind must be 'start' or 'end'") }}
    {%- endif -%}
    ({{ prefix }}source = 'app' and {{ prefix }}event_type = 'session_{{ kind }}')
{%- endmacro %}
