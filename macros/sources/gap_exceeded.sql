{#-
    True when `later` comes more than `gap_seconds` (a number or an expression, possibly
    fractional) after `earlier`: the one gap rule of sessionization, recompute ranges and active
    sessions. Compared in whole microseconds (the precision of event times), so a gap of 0.4 or
    30.5 seconds is applied exactly; an equal gap is not exceeded.
-#}
{% macro gap_exceeded(earlier, later, gap_seconds) -%}
    ({{ sessions.epoch_microseconds(later) }} - {{ sessions.epoch_microseconds(earlier) }}
    > round(({{ gap_seconds }}) * 1000000))
{%- endmacro %}
