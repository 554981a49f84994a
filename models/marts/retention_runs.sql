{#-
    The log of retention runs (grain: one row per `dbt run-operation apply_retention` that had a
    cut to apply): when it ran, the moment it counted from (the var as_of, else the clock), the
    days kept, the cut (`expires_before`) and the sessions it deleted. Written by apply_retention
    only; a build adds nothing, and a full refresh keeps it (full_refresh=false): the days
    before the latest cut stay final in daily_session_stats (see rebuilt_days).
-#}
{{ config(materialized='incremental', incremental_strategy='append', full_refresh=false) }}

select
    cast(null as {{ sessions.type_timestamptz() }}) as applied_at,
    cast(null as {{ sessions.type_timestamptz() }}) as counted_from,
    cast(null as integer) as retention_days,
    cast(null as {{ sessions.type_timestamptz() }}) as expires_before,
    cast(null as bigint) as sessions_deleted
where false
