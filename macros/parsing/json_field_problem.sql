{#-
    Why a required JSON text field (see json_field_columns) cannot be used, as a reason code:
    'missing_<field>' when it is absent, null or blank, 'invalid_<field>' when it is of a type
    that has no clear text meaning (object, array, boolean, fraction); null when it is usable.
-#}
{% macro json_field_problem(field) -%}
    {%- set type_column = adapter.quote(field ~ '__type') -%}
    {%- set text_column = adapter.quote(field ~ '__text') -%}
    case
        when {{ type_column }} is null
            or {{ type_column }} = 'NULL'
            or ({{ type_column }} = 'VARCHAR' and {{ text_column }} is null)
            then 'missing_{{ field }}'
        when {{ type_column }} not in ('VARCHAR', 'BIGINT', 'UBIGINT')
            then 'invalid_{{ field }}'
    end
{%- endmacro %}
