{#-
    multiplier * numerator / denominator rounded to two decimals, half away from zero, computed in
    integers so that no floating-point error can flip a rounding (e.g. 100 * 1 / 32 = 3.13).
    Both inputs must be non-negative whole numbers; null when the denominator is zero.
-#}
{% macro ratio_half_up(numerator, denominator, multiplier=1) -%}
    case
        when ({{ denominator }}) > 0
            then cast(
                ({{ sessions.int_div(200 * multiplier ~ ' * (' ~ numerator ~ ') + (' ~ denominator ~ ')', '2 * (' ~ denominator ~ ')') }})
                * 0.01 as decimal(18, 2)
            )
    end
{%- endmacro %}
