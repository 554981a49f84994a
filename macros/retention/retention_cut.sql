{#- The moment before which sessions are expired, by the clock: the var `as_of` (ISO-8601
    text) or, without it, the time this invocation started, minus `retention_days`, as a
    timestamp expression. It does not depend on the data: an event arriving with a current time
    into a replayed history moves nothing. Only called when retention_days is set. -#}
{% macro retention_cut() -%}
    {%- if var('as_of') is none -%}
        {%- set now = sessions.run_started_timestamp() -%}
    {%- else -%}
        {%- set now = sessions.utc_timestamp("'" ~ (var('as_of') | string | replace("'", "''")) ~ "'") -%}
    {%- endif -%}
    ({{ now }} - {{ sessions.days_interval(var('retention_days') | int) }})
{%- endmacro %}
