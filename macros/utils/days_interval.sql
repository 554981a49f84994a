{#- `days` days as an interval to subtract from a timestamp. -#}
{% macro days_interval(days) -%}
    {{ return(adapter.dispatch('days_interval', 'sessions')(days)) }}
{%- endmacro %}

{% macro default__days_interval(days) -%}
    to_days({{ days }})
{%- endmacro %}

{% macro spark__days_interval(days) -%}
    make_interval(0, 0, 0, {{ days }})
{%- endmacro %}
