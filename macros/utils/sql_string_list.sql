{#- A Python list of strings as a SQL list literal: ['a', 'b'] with quotes escaped. -#}
{% macro sql_string_list(values) -%}
    [{%- for value in values -%}
        '{{ value | replace("'", "''") }}'{{ ', ' if not loop.last }}
    {%- endfor -%}]
{%- endmacro %}
