{#-
    The value at `path` ('$.a.b') of a JSON text as text (a string unquoted, an object as its
    JSON), null when absent: for the nested objects of a record (device, context, properties).
-#}
{% macro json_path_text(json_expression, path) -%}
    {{ return(adapter.dispatch('json_path_text', 'sessions')(json_expression, path)) }}
{%- endmacro %}

{% macro default__json_path_text(json_expression, path) -%}
    json_extract_string({{ json_expression }}, '{{ path }}')
{%- endmacro %}

{% macro spark__json_path_text(json_expression, path) -%}
    get_json_object({{ json_expression }}, '{{ path }}')
{%- endmacro %}
