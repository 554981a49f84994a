{#-
    The top-level fields `fields` of a JSON record, parsed once: a struct with one JSON value per
    field name, null where the field is missing or null (or the record is not an object). The
    field macros (json_text_field, json_field_problem, timestamp_problem) read these small values
    instead of parsing the whole record again for every check.
-#}
{% macro json_object_fields(payload, fields) -%}
    json_transform(
        {{ payload }},
        '{ {%- for field in fields %}"{{ field }}": "JSON"{{ ", " if not loop.last }}{% endfor -%} }'
    )
{%- endmacro %}
