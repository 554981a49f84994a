{#- The problem with the var `retention_days`, or none: a whole number of days of at least 1,
    or null. -#}
{% macro retention_days_problem() -%}
    {%- set days = var('retention_days') -%}
    {%- if days is not none and (
        days is not number or days is sameas true or days is sameas false
        or days != days | int or days < 1
    ) -%}
        {{ return("retention_days must be a whole number of days of at least 1 (or null), got: " ~ days) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}
