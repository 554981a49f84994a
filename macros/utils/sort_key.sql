{#-
    One comparable value ordering rows like `order by <columns>` (a row / struct value compared
    field by field), for first_by / last_by. A single column is its own key.
-#}
{% macro sort_key(columns) -%}
    {%- if columns | length == 1 -%}
        {{ return(columns[0]) }}
    {%- endif -%}
    {{ return(adapter.dispatch('sort_key', 'sessions')(columns)) }}
{%- endmacro %}

{% macro default__sort_key(columns) -%}
    struct({{ columns | join(', ') }})
{%- endmacro %}

{% macro duckdb__sort_key(columns) -%}
    row({{ columns | join(', ') }})
{%- endmacro %}
