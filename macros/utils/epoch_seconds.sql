{#- Whole seconds since 1970-01-01 UTC of a timestamp, as a bigint. -#}
{% macro epoch_seconds(timestamp_expression) -%}
    {{ return(adapter.dispatch('epoch_seconds', 'sessions')(timestamp_expression)) }}
{%- endmacro %}

{% macro default__epoch_seconds(timestamp_expression) -%}
    cast(epoch({{ timestamp_expression }}) as bigint)
{%- endmacro %}

{% macro spark__epoch_seconds(timestamp_expression) -%}
    unix_seconds({{ timestamp_expression }})
{%- endmacro %}
