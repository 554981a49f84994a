{#-
    Why a JSON record cannot be read at all, as a reason code, checked in this order:
    invalid_utf8 (bytes that are not UTF-8), record_too_large (over the var max_record_bytes; it
    is not parsed, so one huge line never aborts its file), invalid_json (truncated, trailing
    garbage, ...), not_a_json_object (a bare value or an array). Null when the record is an object.
-#}
{% macro record_problem(raw_line, is_invalid_utf8, payload) -%}
    case
        when {{ is_invalid_utf8 }} then 'invalid_utf8'
        when {{ sessions.byte_length(raw_line) }} > {{ var('max_record_bytes') }} then 'record_too_large'
        when {{ payload }} is null then 'invalid_json'
        when {{ sessions.json_value_type(payload) }} <> 'OBJECT' then 'not_a_json_object'
    end
{%- endmacro %}
