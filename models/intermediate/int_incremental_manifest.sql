{#-
    The session marts' state (grain: one row per session mart): the stamp of the latest run
    whose recompute ranges the mart applied, and the as_of (build_as_of) its rows were judged
    at. int_sessions_this_run reads it to know what the run must rebuild: the ranges of the
    later runs, and the sessions whose openness the moving as_of may change. Written by the marts themselves, in the transaction that writes their rows
    (see mark_session_mart_rebuilt_whole and record_session_mart_applied), so a mart that fails
    leaves both as they were and the next run catches it up. Never rebuilt by a full refresh:
    a mart built whole records that itself. The as_of column came later than the table: a
    warehouse built before it gets the column added on its next run (append_new_columns; its
    old rows hold null, which no run reads, as the marts are then rebuilt whole).
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=false,
    on_schema_change='append_new_columns',
) }}

with

no_rows as (
    select
        cast(null as {{ dbt.type_string() }}) as model_name,
        cast(null as {{ type_timestamptz() }}) as applied_through,
        cast(null as {{ type_timestamptz() }}) as as_of
    where false
)

select * from no_rows
