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


{#- A number of microseconds as seconds, a double (Spark reads `1000000.0` as a decimal). -#}
{% macro microseconds_as_seconds(microseconds_expression) -%}
    {{ return(adapter.dispatch('microseconds_as_seconds', 'sessions')(microseconds_expression)) }}
{%- endmacro %}

{% macro default__microseconds_as_seconds(microseconds_expression) -%}
    ({{ microseconds_expression }}) / 1000000.0
{%- endmacro %}

{% macro spark__microseconds_as_seconds(microseconds_expression) -%}
    ({{ microseconds_expression }}) / 1000000.0D
{%- endmacro %}
