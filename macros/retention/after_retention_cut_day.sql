{#-
    The reconciliation of daily_session_stats with user_sessions with retention on: the days
    after the UTC day of the source's cut (whose sessions were never deleted, and which are
    never final). `date_expression` is read with the tested relation's `source`; `true` without
    retention.
-#}
{% macro after_retention_cut_day(date_expression) -%}
    {%- if var('retention_days') is none -%}
        true
    {%- else -%}
        {%- set expires_before -%}
            ((select max(retained.end_time) from {{ ref('user_sessions') }} as retained
              where retained.source = source) - {{ sessions.days_interval(var('retention_days') | int) }})
        {%- endset -%}
        {{ date_expression }} > {{ sessions.utc_date(expires_before) }}
    {%- endif -%}
{%- endmacro %}
