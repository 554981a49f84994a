{#-
    A JSON field (see json_field_columns) as text when it is a string or a whole number (so that
    `"user_id": 7` reads as '7'); null when it is missing, null, empty, or of another type.
-#}
{% macro json_text_field(field) -%}
    {{ adapter.quote(field ~ '__text') }}
{%- endmacro %}
