{#- The JSON type of a field's value (see json_field_columns); null when missing or null. -#}
{% macro json_field_type(field) -%}
    {{ adapter.quote(field ~ '__type') }}
{%- endmacro %}
