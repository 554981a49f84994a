{#- The latest cut a retention run applied (sessions that ended before it may be deleted), as a
    scalar subquery on the log retention_runs; null before the first retention run. `log`: the
    log's relation where ref() cannot be used (a test's config); ref('retention_runs') else. -#}
{% macro retention_applied_cut(log=none) -%}
    (select max(expires_before) from {{ log if log is not none else ref('retention_runs') }})
{%- endmacro %}
