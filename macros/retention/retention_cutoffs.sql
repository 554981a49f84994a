{#- Each source's moment before which its sessions are expired (`expires_before`), as a query
    over `user_sessions` (the mart, or a CTE of it). Only called when retention_days is set. -#}
{% macro retention_cutoffs(user_sessions) -%}
    select
        source,
        max(end_time) - {{ sessions.days_interval(var('retention_days') | int) }} as expires_before
    from {{ user_sessions }}
    group by source
{%- endmacro %}
