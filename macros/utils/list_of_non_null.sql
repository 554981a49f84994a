{#-
    A list (DuckDB) / array (Spark) of the non-null values of `expressions` (SQL expressions of
    one type), in their order: empty when all are null.
-#}
{% macro list_of_non_null(expressions) -%}
    {{ return(adapter.dispatch('list_of_non_null', 'sessions')(expressions)) }}
{%- endmacro %}

{% macro duckdb__list_of_non_null(expressions) -%}
    list_filter([{{ expressions | join(', ') }}], lambda item: item is not null)
{%- endmacro %}

{% macro spark__list_of_non_null(expressions) -%}
    filter(array({{ expressions | join(', ') }}), item -> item is not null)
{%- endmacro %}
