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

