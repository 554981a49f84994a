{#- The hour of the day (0-23) of a timestamp with time zone, in UTC, whatever the connection's zone. -#}
{% macro utc_hour(timestamp_expression) -%}
    {{ return(adapter.dispatch('utc_hour', 'sessions')(timestamp_expression)) }}
{%- endmacro %}

{% macro duckdb__utc_hour(timestamp_expression) -%}
    cast(hour(timezone('UTC', {{ timestamp_expression }})) as integer)
{%- endmacro %}

{% macro spark__utc_hour(timestamp_expression) -%}
    cast(hour(to_utc_timestamp({{ timestamp_expression }}, current_timezone())) as integer)
{%- endmacro %}
