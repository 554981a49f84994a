{#- The length of a text in bytes (UTF-8). -#}
{% macro byte_length(text_expression) -%}
    {{ return(adapter.dispatch('byte_length', 'sessions')(text_expression)) }}
{%- endmacro %}

{% macro default__byte_length(text_expression) -%}
    strlen({{ text_expression }})
{%- endmacro %}

{% macro spark__byte_length(text_expression) -%}
    octet_length({{ text_expression }})
{%- endmacro %}
