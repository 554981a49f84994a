{#- The type of an instant (UTC): DuckDB's timestamptz; Spark's timestamp is one already. -#}
{% macro type_timestamptz() -%}
    {{ return(adapter.dispatch('type_timestamptz', 'sessions')()) }}
{%- endmacro %}

{% macro default__type_timestamptz() -%}
    {{ return('timestamp with time zone') }}
{%- endmacro %}

{% macro spark__type_timestamptz() -%}
    {{ return('timestamp') }}
{%- endmacro %}
