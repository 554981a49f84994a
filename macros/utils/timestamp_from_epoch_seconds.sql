{#- The instant `seconds_expression` seconds after 1970-01-01 UTC; null when out of range. -#}
{% macro timestamp_from_epoch_seconds(seconds_expression) -%}
    {{ return(adapter.dispatch('timestamp_from_epoch_seconds', 'sessions')(seconds_expression)) }}
{%- endmacro %}

{% macro default__timestamp_from_epoch_seconds(seconds_expression) -%}
    try(to_timestamp({{ seconds_expression }}))
{%- endmacro %}

{% macro spark__timestamp_from_epoch_seconds(seconds_expression) -%}
    case
        when {{ seconds_expression }} between -62135596800 and 253402300799
            then timestamp_seconds({{ seconds_expression }})
    end
{%- endmacro %}
