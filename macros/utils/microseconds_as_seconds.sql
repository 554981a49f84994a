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
