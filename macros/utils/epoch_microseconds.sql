{#- Microseconds since 1970-01-01 UTC of a timestamp: a zone-independent number for keys. -#}
{% macro epoch_microseconds(timestamp_expression) -%}
    {{ return(adapter.dispatch('epoch_microseconds', 'sessions')(timestamp_expression)) }}
{%- endmacro %}

{% macro default__epoch_microseconds(timestamp_expression) -%}
    {{ dbt.datediff("cast('1970-01-01 00:00:00+00' as " ~ dbt.type_timestamp() ~ ")", timestamp_expression, 'microsecond') }}
{%- endmacro %}

{% macro duckdb__epoch_microseconds(timestamp_expression) -%}
    epoch_us({{ timestamp_expression }})
{%- endmacro %}

{% macro spark__epoch_microseconds(timestamp_expression) -%}
    unix_micros({{ timestamp_expression }})
{%- endmacro %}
