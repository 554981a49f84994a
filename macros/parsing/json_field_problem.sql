{#-
    Why a required JSON text field (see json_field_columns) cannot be used, as a reason code:
    'missing_<field>' when it is absent, null or blank, 'invalid_<field>' when it is of a type
    that has no clear text meaning (object, array, boolean, fraction); null when it is usable.
-#}
{% macro json_field_problem(field) -%}
    case
        when "{{ field }}__type" is null
            or "{{ field }}__type" = 'NULL'
            or ("{{ field }}__type" = 'VARCHAR' and "{{ field }}__text" is null)
            then 'missing_{{ field }}'
        when "{{ field }}__type" not in ('VARCHAR', 'BIGINT', 'UBIGINT')
            then 'invalid_{{ field }}'
    end
{%- endmacro %}
