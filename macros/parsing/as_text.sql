{#- A column as text (DuckDB: from the reader's Arrow dictionary and string views). -#}
{% macro as_text(expression) -%}
    {{ return(adapter.dispatch('as_text', 'sessions')(expression)) }}
{%- endmacro %}

{% macro default__as_text(expression) -%}
    cast({{ expression }} as varchar)
{%- endmacro %}

{% macro spark__as_text(expression) -%}
    {{ expression }}
{%- endmacro %}
