{#-
    A number as a whole count of 10^-15 units, exactly, for integer averages (ratio_half_up): the
    value is taken as the shortest decimal that reads back as the same double (what a file or
    a JSON serializer shows, e.g. 33.335, not 33.33499999999999996), so no value is rounded
    before averaging. Values with more than 15 decimals (beyond a double's precision above 1)
    are rounded at the 15th.
-#}
{% macro decimal_units(value_expression) -%}
    {{ return(adapter.dispatch('decimal_units', 'sessions')(value_expression)) }}
{%- endmacro %}

{% macro duckdb__decimal_units(value_expression) -%}
    cast(cast(cast({{ value_expression }} as varchar) as decimal(38, 15)) * 1000000000000000 as hugeint)
{%- endmacro %}

{#- Spark: the double's text is its shortest form too (exponent notation parses as a decimal). -#}
{% macro spark__decimal_units(value_expression) -%}
    cast(cast(cast({{ value_expression }} as string) as decimal(38, 15)) * 1000000000000000 as decimal(38, 0))
{%- endmacro %}
