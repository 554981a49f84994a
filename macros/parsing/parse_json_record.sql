{#-
    The record parsed as JSON, or null when it is not valid JSON or larger than the var
    max_record_bytes (too large records are not parsed at all).
-#}
{% macro parse_json_record(raw_line) -%}
    {{ return(adapter.dispatch('parse_json_record', 'sessions')(raw_line)) }}
{%- endmacro %}

{% macro duckdb__parse_json_record(raw_line) -%}
    case
        when strlen({{ raw_line }}) <= {{ var('max_record_bytes') }}
            then try_cast({{ raw_line }} as json)
    end
{%- endmacro %}

{#- Spark: a VARIANT (see json_value_type.sql). -#}
{% macro spark__parse_json_record(raw_line) -%}
    case
        when octet_length({{ raw_line }}) <= {{ var('max_record_bytes') }}
            then try_parse_json({{ raw_line }})
    end
{%- endmacro %}
