{#- The type of a JSON value kept as such: DuckDB's json; text (JSON) on Spark. -#}
{% macro type_json() -%}
    {{ return(adapter.dispatch('type_json', 'sessions')()) }}
{%- endmacro %}

{% macro default__type_json() -%}
    {{ return('json') }}
{%- endmacro %}

{% macro spark__type_json() -%}
    {{ return('string') }}
{%- endmacro %}
