{#- The UTC calendar date of a timestamp with time zone, whatever the connection's zone. -#}
{% macro utc_date(timestamp_expression) -%}
    {{ return(adapter.dispatch('utc_date', 'sessions')(timestamp_expression)) }}
{%- endmacro %}

{% macro duckdb__utc_date(timestamp_expression) -%}
    cast(timezone('UTC', {{ timestamp_expression }}) as date)
{%- endmacro %}

{% macro spark__utc_date(timestamp_expression) -%}
    to_date(to_utc_timestamp({{ timestamp_expression }}, current_timezone()))
{%- endmacro %}
