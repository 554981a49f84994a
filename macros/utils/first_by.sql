{#-
    Aggregate: `value` of the first row in the order of `order_columns` (a list), null included
    when that row's value is null. With a `filter (where ...)` clause it is the first row
    passing the filter. The aggregate form of `first_value(...) over (order by ...)`, without
    a window sort.
-#}
{% macro first_by(value, order_columns) -%}
    {{ return(adapter.dispatch('first_by', 'sessions')(value, order_columns)) }}
{%- endmacro %}

{% macro default__first_by(value, order_columns) -%}
    min_by({{ value }}, {{ sessions.sort_key(order_columns) }})
{%- endmacro %}

{#- DuckDB's min_by skips null values; arg_min_null keeps the first row's value. -#}
{% macro duckdb__first_by(value, order_columns) -%}
    arg_min_null({{ value }}, {{ sessions.sort_key(order_columns) }})
{%- endmacro %}
