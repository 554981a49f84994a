{#- A JSON value as text: a string unquoted, a number or a nested value as its JSON text. -#}
{% macro json_value_text(json_expression) -%}
    {{ return(adapter.dispatch('json_value_text', 'sessions')(json_expression)) }}
{%- endmacro %}

{% macro default__json_value_text(json_expression) -%}
    json_extract_string({{ json_expression }}, '$')
{%- endmacro %}

{% macro spark__json_value_text(json_expression) -%}
    try_variant_get({{ json_expression }}, '$', 'string')
{%- endmacro %}
