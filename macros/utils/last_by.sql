{#-
    Aggregate: `value` of the last row in the order of `order_columns` (a list), null included
    when that row's value is null. See first_by.
-#}
{% macro last_by(value, order_columns) -%}
    {{ return(adapter.dispatch('last_by', 'sessions')(value, order_columns)) }}
{%- endmacro %}

{% macro default__last_by(value, order_columns) -%}
    max_by({{ value }}, {{ sessions.sort_key(order_columns) }})
{%- endmacro %}

{#- DuckDB's max_by skips null values; arg_max_null keeps the last row's value. -#}
{% macro duckdb__last_by(value, order_columns) -%}
    arg_max_null({{ value }}, {{ sessions.sort_key(order_columns) }})
{%- endmacro %}
