{#-
    Times are UTC whatever the connection's TimeZone setting (a user's own profile may set
    another zone, or none). utc_timestamp parses ISO-8601 text into a timestamp with time zone:
    text with an offset or a zone name keeps it; text without one (`2024-03-04T10:00:00`, a bare
    date) is read as UTC, never in the connection's zone. Unparseable text gives null.
-#}
{% macro utc_timestamp(text_expression) -%}
    {{ return(adapter.dispatch('utc_timestamp', 'sessions')(text_expression)) }}
{%- endmacro %}

{% macro duckdb__utc_timestamp(text_expression) -%}
    case
        when regexp_full_match({{ text_expression }}, {{ sessions.naive_iso_timestamp_pattern() }})
            then timezone('UTC', try_cast({{ text_expression }} as timestamp))
        else try_cast({{ text_expression }} as timestamptz)
    end
{%- endmacro %}

{% macro spark__utc_timestamp(text_expression) -%}
    case
        when {{ text_expression }} rlike concat('^', {{ sessions.naive_iso_timestamp_pattern() }}, '$')
            then from_utc_timestamp(try_to_timestamp({{ text_expression }}), current_timezone())
        else try_to_timestamp({{ text_expression }})
    end
{%- endmacro %}
