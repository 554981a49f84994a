{#-
    The ISO weekday (1 = Monday ... 7 = Sunday) of a timestamp with time zone, in UTC, whatever
    the connection's zone.
-#}
{% macro utc_weekday(timestamp_expression) -%}
    {{ return(adapter.dispatch('utc_weekday', 'sessions')(timestamp_expression)) }}
{%- endmacro %}

{% macro duckdb__utc_weekday(timestamp_expression) -%}
    cast(isodow(timezone('UTC', {{ timestamp_expression }})) as integer)
{%- endmacro %}

{#- Spark's weekday() counts from 0 = Monday. -#}
{% macro spark__utc_weekday(timestamp_expression) -%}
    cast(weekday(to_utc_timestamp({{ timestamp_expression }}, current_timezone())) + 1 as integer)
{%- endmacro %}
