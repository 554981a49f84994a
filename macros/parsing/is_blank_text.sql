{#- Whether a record is blank: nothing but white space (spaces, tabs, line ends). -#}
{% macro is_blank_text(text_expression) -%}
    {{ return(adapter.dispatch('is_blank_text', 'sessions')(text_expression)) }}
{%- endmacro %}

{% macro default__is_blank_text(text_expression) -%}
    regexp_full_match({{ text_expression }}, '[ \t\r\n]*')
{%- endmacro %}

{% macro spark__is_blank_text(text_expression) -%}
    {{ text_expression }} rlike '^[ \t\r\n]*$'
{%- endmacro %}
