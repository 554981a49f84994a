{#- Microseconds since 1970-01-01 UTC as ISO-8601 text in UTC (Jinja, for messages). -#}
{% macro microseconds_as_text(microseconds) -%}
    {%- if microseconds is none -%}
        {{ return('unknown') }}
    {%- endif -%}
    {%- set epoch = modules.datetime.datetime(1970, 1, 1) -%}
    {{ return((epoch + modules.datetime.timedelta(microseconds=microseconds | int)).isoformat() ~ 'Z') }}
{%- endmacro %}
