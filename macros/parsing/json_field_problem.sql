{#-
    Why a required top-level JSON text field cannot be used, as a reason code:
    'missing_<field>' when it is absent, null or blank, 'invalid_<field>' when it is of a type that
    has no clear text meaning (object, array, boolean, fraction); null when it is usable.
-#}
{% macro json_field_problem(payload, field) -%}
    case
        when json_type({{ payload }}, '$."{{ field }}"') is null
            or json_type({{ payload }}, '$."{{ field }}"') = 'NULL'
            or (
                json_type({{ payload }}, '$."{{ field }}"') = 'VARCHAR'
                and trim(json_extract_string({{ payload }}, '$."{{ field }}"')) = ''
            )
            then 'missing_{{ field }}'
        when json_type({{ payload }}, '$."{{ field }}"') not in ('VARCHAR', 'BIGINT', 'UBIGINT')
            then 'invalid_{{ field }}'
    end
{%- endmacro %}
