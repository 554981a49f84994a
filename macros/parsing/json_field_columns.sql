{#-
    For each of `fields` of the struct `json_fields` (see json_object_fields): <field>__type, the
    JSON type of its value (null when missing or null), and <field>__text, its text when it is a
    string or a whole number, trimmed (null when empty or of another type). The field checks
    (json_text_field, json_field_problem, timestamp_problem) read these columns, so each value is
    inspected once however many checks use it.
-#}
{% macro json_field_columns(json_fields, fields) -%}
    {%- for field in fields %}
    {%- set value = json_fields ~ '.' ~ adapter.quote(field) %}
    {{ sessions.json_value_type(value) }} as {{ adapter.quote(field ~ '__type') }},
    case
        when {{ sessions.json_value_type(value) }} in ('VARCHAR', 'BIGINT', 'UBIGINT')
            then nullif(trim({{ sessions.json_value_text(value) }}), '')
    end as {{ adapter.quote(field ~ '__text') }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
