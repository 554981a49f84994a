{#-
    The reconciliation of daily_session_stats with user_sessions after retention runs: the days
    after the UTC day of the latest cut applied (whose sessions were never deleted, and which are
    never final); every day before the first retention run. Rendered in a test's config, where
    ref() records no dependency: the log is named directly (daily_session_stats, the tested
    model, is built after it).
-#}
{% macro after_retention_cut_day(date_expression) -%}
    {#- Spark has no database level: its target leaves database undefined. -#}
    {%- set log = api.Relation.create(
        database=target.database if target.database is defined else none,
        schema=target.schema,
        identifier='retention_runs',
    ) -%}
    {%- set applied_cut = sessions.retention_applied_cut(log) -%}
    ({{ applied_cut }} is null or {{ date_expression }} > {{ sessions.utc_date(applied_cut) }})
{%- endmacro %}
