{#-
    The ISO weekday (1 = Monday ... 7 = Sunday) of a timestamp with time zone, in UTC, whatever
    the connection's zone.
-#}
{% macro utc_weekday(timestamp_expression) -%}
    {{ return(adapter.dispatch('utc_weekday', 'sessions')(timestamp_expression)) }}
{%- endmacro %}

{#-
    DuckDB: integer arithmetic on the instant's epoch microseconds, about twice as fast as
    converting every timestamp to UTC (hourly_activity reads every event). 1970-01-01 was a
    Thursday (4); the shift by a million weeks keeps earlier instants positive, so the integer
    division rounds down.
-#}
{% macro duckdb__utc_weekday(timestamp_expression) -%}
    cast(((epoch_us({{ timestamp_expression }}) + 604800000000000000) // 86400000000 + 3) % 7 + 1 as integer)
{%- endmacro %}

{#- Spark's weekday() counts from 0 = Monday. -#}
{% macro spark__utc_weekday(timestamp_expression) -%}
    cast(weekday(to_utc_timestamp({{ timestamp_expression }}, current_timezone())) + 1 as integer)
{%- endmacro %}
