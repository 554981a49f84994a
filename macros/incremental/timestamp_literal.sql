{#- A timestamp read as text by run_query, as a timestamptz literal of the target's SQL. -#}
{% macro timestamp_literal(text) -%}
    {{ return("cast('" ~ text ~ "' as " ~ sessions.type_timestamptz() ~ ")") }}
{%- endmacro %}
