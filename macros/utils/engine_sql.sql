{#-
    Small pieces of SQL whose spelling differs between DuckDB and Spark: each dispatches to a
    duckdb__ and a spark__ implementation (default__ is DuckDB's, the project's home engine).
-#}

{#- The type of an instant (UTC): DuckDB's timestamptz; Spark's timestamp is one already. -#}
{% macro type_timestamptz() -%}
    {{ return(adapter.dispatch('type_timestamptz', 'sessions')()) }}
{%- endmacro %}

{% macro default__type_timestamptz() -%}
    {{ return('timestamp with time zone') }}
{%- endmacro %}

{% macro spark__type_timestamptz() -%}
    {{ return('timestamp') }}
{%- endmacro %}


{#- The type of a JSON value kept as such: DuckDB's json; text (JSON) on Spark. -#}
{% macro type_json() -%}
    {{ return(adapter.dispatch('type_json', 'sessions')()) }}
{%- endmacro %}

{% macro default__type_json() -%}
    {{ return('json') }}
{%- endmacro %}

{% macro spark__type_json() -%}
    {{ return('string') }}
{%- endmacro %}


{#-
    `not materialized` for a CTE that DuckDB must inline at each use (its filters then reach the
    scans); Spark always inlines CTEs and has no such keyword.
-#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'sessions')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
    {{ return('not materialized') }}
{%- endmacro %}

{% macro spark__not_materialized() -%}
    {{ return('') }}
{%- endmacro %}


{#-
    The integer quotient of two non-negative whole numbers, rounded down, exactly (DuckDB's
    `//`; on Spark in decimal(38, 0), since `div` stops at bigint).
-#}
{% macro int_div(numerator, denominator) -%}
    {{ return(adapter.dispatch('int_div', 'sessions')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__int_div(numerator, denominator) -%}
    ({{ numerator }}) // ({{ denominator }})
{%- endmacro %}

{% macro spark__int_div(numerator, denominator) -%}
    cast(
        (cast({{ numerator }} as decimal(38, 0)) - pmod(cast({{ numerator }} as decimal(38, 0)), cast({{ denominator }} as decimal(38, 0))))
        / cast({{ denominator }} as decimal(38, 0))
        as decimal(38, 0)
    )
{%- endmacro %}


{#- The length of a text in bytes (UTF-8). -#}
{% macro byte_length(text_expression) -%}
    {{ return(adapter.dispatch('byte_length', 'sessions')(text_expression)) }}
{%- endmacro %}

{% macro default__byte_length(text_expression) -%}
    strlen({{ text_expression }})
{%- endmacro %}

{% macro spark__byte_length(text_expression) -%}
    octet_length({{ text_expression }})
{%- endmacro %}


{#- Whole seconds since 1970-01-01 UTC of a timestamp, as a bigint. -#}
{% macro epoch_seconds(timestamp_expression) -%}
    {{ return(adapter.dispatch('epoch_seconds', 'sessions')(timestamp_expression)) }}
{%- endmacro %}

{% macro default__epoch_seconds(timestamp_expression) -%}
    cast(epoch({{ timestamp_expression }}) as bigint)
{%- endmacro %}

{% macro spark__epoch_seconds(timestamp_expression) -%}
    unix_seconds({{ timestamp_expression }})
{%- endmacro %}


{#- The instant `seconds_expression` seconds after 1970-01-01 UTC; null when out of range. -#}
{% macro timestamp_from_epoch_seconds(seconds_expression) -%}
    {{ return(adapter.dispatch('timestamp_from_epoch_seconds', 'sessions')(seconds_expression)) }}
{%- endmacro %}

{% macro default__timestamp_from_epoch_seconds(seconds_expression) -%}
    try(to_timestamp({{ seconds_expression }}))
{%- endmacro %}

{% macro spark__timestamp_from_epoch_seconds(seconds_expression) -%}
    case
        when {{ seconds_expression }} between -62135596800 and 253402300799
            then timestamp_seconds({{ seconds_expression }})
    end
{%- endmacro %}


{#- `days` days as an interval to subtract from a timestamp. -#}
{% macro days_interval(days) -%}
    {{ return(adapter.dispatch('days_interval', 'sessions')(days)) }}
{%- endmacro %}

{% macro default__days_interval(days) -%}
    to_days({{ days }})
{%- endmacro %}

{% macro spark__days_interval(days) -%}
    make_interval(0, 0, 0, {{ days }})
{%- endmacro %}
