{#-
    A JSON field's value (see json_object_fields) as text when it is a string or a whole number
    (so that `"user_id": 7` reads as '7'); null when it is missing, null, empty, or of another type.
-#}
{% macro json_text_field(value) -%}
    case
        when json_type({{ value }}) in ('VARCHAR', 'BIGINT', 'UBIGINT')
            then nullif(trim(json_extract_string({{ value }}, '$')), '')
    end
{%- endmacro %}
