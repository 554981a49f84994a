{#- A time earlier than every event: DuckDB's -infinity; Spark's earliest timestamp. -#}
{% macro minus_infinity_timestamp() -%}
    {{ return(adapter.dispatch('minus_infinity_timestamp', 'sessions')()) }}
{%- endmacro %}

{% macro default__minus_infinity_timestamp() -%}
    {{ return("cast('-infinity' as timestamp with time zone)") }}
{%- endmacro %}

{% macro spark__minus_infinity_timestamp() -%}
    {{ return("cast('0001-01-01T00:00:00Z' as timestamp)") }}
{%- endmacro %}
