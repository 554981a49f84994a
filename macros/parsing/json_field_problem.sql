{#-
    Why a required JSON text field (its value, see json_object_fields) cannot be used, as a reason
    code: 'missing_<field>' when it is absent, null or blank, 'invalid_<field>' when it is of a
    type that has no clear text meaning (object, array, boolean, fraction); null when it is usable.
-#}
{% macro json_field_problem(value, field) -%}
    case
        when {{ value }} is null
            or json_type({{ value }}) = 'NULL'
            or (
                json_type({{ value }}) = 'VARCHAR'
                and trim(json_extract_string({{ value }}, '$')) = ''
            )
            then 'missing_{{ field }}'
        when json_type({{ value }}) not in ('VARCHAR', 'BIGINT', 'UBIGINT')
            then 'invalid_{{ field }}'
    end
{%- endmacro %}
