{#- The wall-clock time this invocation started (UTC), as a timestamptz literal. -#}
{% macro run_started_timestamp() -%}
    {{ return(adapter.dispatch('run_started_timestamp', 'sessions')()) }}
{%- endmacro %}

{% macro default__run_started_timestamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}+00' as timestamp with time zone)
{%- endmacro %}

{% macro spark__run_started_timestamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%dT%H:%M:%S.%f") }}Z' as timestamp)
{%- endmacro %}
