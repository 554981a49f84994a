{#-
    The value of a top-level JSON field as text when it is a string or a whole number (so that
    `"user_id": 7` reads as '7'); null when it is missing, null, empty, or of another type.
-#}
{% macro json_text_field(payload, field) -%}
    case
        when json_type({{ payload }}, '$."{{ field }}"') in ('VARCHAR', 'BIGINT', 'UBIGINT')
            then nullif(trim(json_extract_string({{ payload }}, '$."{{ field }}"')), '')
    end
{%- endmacro %}
