{#-
    The record's top-level `text_fields` and `nested_fields`, parsed once, as a struct (see
    json_object_fields). DuckDB: a JSON value each. Spark: each text field as a VARIANT (its type
    and text are read from it), each nested field as its JSON text, keys in the input's order
    (get_json_object of the record; a VARIANT would sort them).
-#}
{% macro json_record_fields(payload, raw_line, text_fields, nested_fields) -%}
    {{ return(adapter.dispatch('json_record_fields', 'sessions')(payload, raw_line, text_fields, nested_fields)) }}
{%- endmacro %}

{% macro default__json_record_fields(payload, raw_line, text_fields, nested_fields) -%}
    {{ exceptions.raise_compiler_error(
        "json_file_records is not implemented for the '" ~ adapter.type() ~ "' adapter"
    ) }}
{%- endmacro %}

{% macro duckdb__json_record_fields(payload, raw_line, text_fields, nested_fields) -%}
    {{ sessions.json_object_fields(payload, text_fields + nested_fields) }}
{%- endmacro %}

{% macro spark__json_record_fields(payload, raw_line, text_fields, nested_fields) -%}
    named_struct(
        {%- for field in text_fields + nested_fields %}
        '{{ field }}',
        {%- if field in nested_fields %}
        case when {{ payload }} is not null then get_json_object({{ raw_line }}, '$.{{ field }}') end
        {%- else %}
        variant_get({{ payload }}, '$.{{ field }}')
        {%- endif %}{{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}
