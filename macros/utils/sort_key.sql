{#-
    One comparable value ordering rows like `order by <columns>` (a row / struct value compared
    field by field), for first_by / last_by.
-#}
{% macro sort_key(columns) -%}
    {{ return(adapter.dispatch('sort_key', 'sessions')(columns)) }}
{%- endmacro %}

{% macro default__sort_key(columns) -%}
    struct({{ columns | join(', ') }})
{%- endmacro %}

{% macro duckdb__sort_key(columns) -%}
    row({{ columns | join(', ') }})
{%- endmacro %}
