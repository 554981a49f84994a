{#- The size of one unit of decimal_units, as the divisor of a sum of them. -#}
{% macro decimal_units_per_one() -%}
    1000000000000000
{%- endmacro %}
