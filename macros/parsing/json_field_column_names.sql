{#- The names of the columns json_field_columns adds, as a comma-separated list. -#}
{% macro json_field_column_names(fields) -%}
    {%- for field in fields -%}
        {{ adapter.quote(field ~ '__type') }}, {{ adapter.quote(field ~ '__text') }}{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
