{#-
    `not materialized` for a CTE that DuckDB must inline at each use (its filters then reach the
    scans); Spark always inlines CTEs and has no such keyword.
-#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'sessions')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
    {{ return('not materialized') }}
{%- endmacro %}

{% macro spark__not_materialized() -%}
    {{ return('') }}
{%- endmacro %}
