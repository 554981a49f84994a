{#-
    The session marts' state (grain: one row per session mart): the stamp of the latest run
    whose recompute ranges the mart applied. int_sessions_this_run reads it to know what the run
    must rebuild. Written by the marts themselves, in the transaction that writes their rows
    (see mark_session_mart_rebuilt_whole and record_session_mart_applied), so a mart that fails
    leaves both as they were and the next run catches it up. Never rebuilt by a full refresh:
    a mart built whole records that itself.
-#}
{{ config(materialized='incremental', incremental_strategy='append', full_refresh=false) }}

with

no_rows as (
    select
        cast(null as {{ dbt.type_string() }}) as model_name,
        cast(null as {{ type_timestamptz() }}) as applied_through
    where false
)

select * from no_rows
