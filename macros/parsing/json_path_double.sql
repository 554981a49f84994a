{#- The number at `path` of a JSON text, as a double (null when absent or JSON null). -#}
{% macro json_path_double(json_expression, path) -%}
    {{ return(adapter.dispatch('json_path_double', 'sessions')(json_expression, path)) }}
{%- endmacro %}

{% macro default__json_path_double(json_expression, path) -%}
    cast(json_extract({{ json_expression }}, '{{ path }}') as double)
{%- endmacro %}

{% macro spark__json_path_double(json_expression, path) -%}
    try_cast(get_json_object({{ json_expression }}, '{{ path }}') as double)
{%- endmacro %}
