{#- The hour of the day (0-23) of a timestamp with time zone, in UTC, whatever the connection's zone. -#}
{% macro utc_hour(timestamp_expression) -%}
    {{ return(adapter.dispatch('utc_hour', 'sessions')(timestamp_expression)) }}
{%- endmacro %}

{#- DuckDB: integer arithmetic on epoch microseconds, as utc_weekday (whole weeks added). -#}
{% macro duckdb__utc_hour(timestamp_expression) -%}
    cast((epoch_us({{ timestamp_expression }}) + 604800000000000000) // 3600000000 % 24 as integer)
{%- endmacro %}

{% macro spark__utc_hour(timestamp_expression) -%}
    cast(hour(to_utc_timestamp({{ timestamp_expression }}, current_timezone())) as integer)
{%- endmacro %}
