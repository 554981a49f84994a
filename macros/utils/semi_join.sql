{#-
    The keywords of a semi-join (the left rows that have a match, each once): DuckDB's `semi
    join`, Spark's `left semi join`. DuckDB pushes a semi-join's bounds into the scan of the
    left table (an `exists` subquery is not).
-#}
{% macro semi_join() -%}
    {{ return(adapter.dispatch('semi_join', 'sessions')()) }}
{%- endmacro %}

{% macro default__semi_join() -%}
    {{ return('semi join') }}
{%- endmacro %}

{% macro spark__semi_join() -%}
    {{ return('left semi join') }}
{%- endmacro %}
