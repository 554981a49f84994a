{#-
    A condition: the session numbered `session_number` (an expression) lies in the recompute
    range `range` (the alias of a row of int_session_recompute_ranges): numbered after its
    session_number_offset and, when the range is bounded, up to its session_number_limit. The one
    definition of the sessions a range covers, shared by the sessionization and the marts.
-#}
{% macro session_in_range(session_number, range) -%}
    {{ session_number }} > {{ range }}.session_number_offset
    and ({{ range }}.session_number_limit is null or {{ session_number }} <= {{ range }}.session_number_limit)
{%- endmacro %}


{#-
    A condition: the session (`source`, `user_id`, `session_number`: expressions) lies in one of
    the ranges of `ranges` (a CTE or relation of recompute ranges); with session_number none,
    the user has a range. A semi-join: a session in several ranges counts once.
-#}
{% macro session_in_ranges(ranges, source, user_id, session_number=none) -%}
    exists (
        select 1 from {{ ranges }} as rebuilt
        where
            rebuilt.source = {{ source }}
            and rebuilt.user_id = {{ user_id }}
            {%- if session_number is not none %}
            and {{ sessions.session_in_range(session_number, 'rebuilt') }}
            {%- endif %}
    )
{%- endmacro %}
