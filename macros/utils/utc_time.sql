{#-
    Times are UTC whatever the connection's TimeZone setting (a user's own profile may set
    another zone, or none). utc_timestamp parses ISO-8601 text into a timestamp with time zone:
    text with an offset or a zone name keeps it; text without one (`2024-03-04T10:00:00`, a bare
    date) is read as UTC, never in the connection's zone. Unparseable text gives null.
-#}
{% macro utc_timestamp(text_expression) -%}
    {{ return(adapter.dispatch('utc_timestamp', 'sessions')(text_expression)) }}
{%- endmacro %}

{#- The ISO-8601 forms without an offset: a date, then optionally a time. -#}
{% macro naive_iso_timestamp_pattern() -%}
    '\s*\d{4}-\d{1,2}-\d{1,2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*'
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


{#- The UTC calendar date of a timestamp with time zone, whatever the connection's zone. -#}
{% macro utc_date(timestamp_expression) -%}
    {{ return(adapter.dispatch('utc_date', 'sessions')(timestamp_expression)) }}
{%- endmacro %}

{% macro duckdb__utc_date(timestamp_expression) -%}
    cast(timezone('UTC', {{ timestamp_expression }}) as date)
{%- endmacro %}

{% macro spark__utc_date(timestamp_expression) -%}
    to_date(to_utc_timestamp({{ timestamp_expression }}, current_timezone()))
{%- endmacro %}
