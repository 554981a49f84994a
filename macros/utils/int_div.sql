{#-
    The integer quotient of two non-negative whole numbers, rounded down, exactly (DuckDB's
    `//`; on Spark in decimal(38, 0), since `div` stops at bigint).
-#}
{% macro int_div(numerator, denominator) -%}
    {{ return(adapter.dispatch('int_div', 'sessions')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__int_div(numerator, denominator) -%}
    ({{ numerator }}) // ({{ denominator }})
{%- endmacro %}

{% macro spark__int_div(numerator, denominator) -%}
    cast(
        (cast({{ numerator }} as decimal(38, 0)) - pmod(cast({{ numerator }} as decimal(38, 0)), cast({{ denominator }} as decimal(38, 0))))
        / cast({{ denominator }} as decimal(38, 0))
        as decimal(38, 0)
    )
{%- endmacro %}
