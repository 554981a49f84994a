{#-
    The top-level fields `fields` of a JSON record, parsed once: a struct with one JSON value per
    field name, null where the field is missing or null (or the record is not an object). Nested
    values are read from these small values (json_extract_string(json_fields.device, '$.os')).
-#}
{% macro json_object_fields(payload, fields) -%}
    json_transform(
        {{ payload }},
        '{ {%- for field in fields %}"{{ field }}": "JSON"{{ ", " if not loop.last }}{% endfor -%} }'
    )
{%- endmacro %}
