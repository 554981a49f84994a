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

{#- The names of the columns json_field_columns adds, as a comma-separated list. -#}
{% macro json_field_column_names(fields) -%}
    {%- for field in fields -%}
        {{ adapter.quote(field ~ '__type') }}, {{ adapter.quote(field ~ '__text') }}{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
