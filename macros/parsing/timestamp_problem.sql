{#-
    Why an event's time cannot be used, as a reason code: missing_<field> / invalid_<field> for
    the JSON field (see json_field_problem), invalid_timestamp when its text does not parse, and
    timestamp_in_future when it is later than the load time plus the var
    future_tolerance_seconds. `field` names a JSON field (see json_field_columns); pass none
    for sources without a JSON payload.
-#}
{% macro timestamp_problem(event_time, field=none) -%}
    coalesce(
        {%- if field is not none %}
        {{ sessions.json_field_problem(field) }},
        {%- endif %}
        case
            when {{ event_time }} is null then 'invalid_timestamp'
            when {{ event_time }} > {{ dbt.dateadd('second', var('future_tolerance_seconds'), sessions.run_started_timestamp()) }}
                then 'timestamp_in_future'
        end
    )
{%- endmacro %}
