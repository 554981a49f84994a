{#-
    The run sequence: the one clock of every incremental model. The on-run-start hook
    (append_run_sequence) appends a row per dbt invocation to the state table run_sequence:
    its number and its stamp, a time strictly later than every earlier run's stamp: the run's
    start time, or one microsecond after the latest stamp when the machine's clock is behind it
    (a clock set back, or runs from two hosts). Every row a run writes is stamped with it
    (`_loaded_at`, `_sessionized_at`, `_computed_at`, the marts' watermarks), so "rows stamped
    after the latest one I applied" never skips a later run's rows, whatever the clocks did.
-#}
{% macro run_sequence_relation() -%}
    {{ return(api.Relation.create(database=target.database, schema='intermediate', identifier='run_sequence')) }}
{%- endmacro %}

{#- The wall-clock time this invocation started (UTC), as a timestamptz literal. -#}
{% macro run_started_timestamp() -%}
    {{ return(adapter.dispatch('run_started_timestamp', 'sessions')()) }}
{%- endmacro %}

{% macro default__run_started_timestamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}+00' as timestamp with time zone)
{%- endmacro %}

{% macro spark__run_started_timestamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%dT%H:%M:%S.%f") }}Z' as timestamp)
{%- endmacro %}

{#-
    The stamp of the next run after those in `run_sequence` (the state table), as a query on
    it: the start time, or one microsecond after the latest stamp when that is not earlier.
-#}
{% macro next_run_stamp_query(run_sequence) -%}
    select
        coalesce(max(run_number), 0) + 1 as run_number,
        greatest(
            {{ sessions.run_started_timestamp() }},
            coalesce(max(stamp) + interval 1 microsecond, {{ sessions.run_started_timestamp() }})
        ) as stamp
    from {{ run_sequence }}
{%- endmacro %}

{#-
    This run's stamp, as a scalar subquery on run_sequence (the on-run-start hook has appended
    this invocation). A command that runs no hook (e.g. `dbt compile`) gets the stamp the next
    run would get; before the first run, its start time. Read through source() (also while dbt
    parses), so the state table is in the lineage of every model that stamps its rows, and a
    unit test gives it as an input.
-#}
{% macro run_stamp() -%}
    {%- set run_sequence = source('sessions_state', 'run_sequence') -%}
    {%- if not sessions.incremental_runs() -%}
        {#- Every run rebuilds everything (see incremental_runs): its start time is its stamp. -#}
        {{ return(sessions.run_started_timestamp()) }}
    {%- endif -%}
    {%- if not execute -%}
        {{ return(sessions.run_started_timestamp()) }}
    {%- endif -%}
    {%- if model.resource_type != 'unit_test' and load_relation(run_sequence) is none -%}
        {{ return(sessions.run_started_timestamp()) }}
    {%- endif -%}
    {{ return(
        "(select coalesce("
        ~ "(select max(stamp) from " ~ run_sequence ~ " where invocation_id = '" ~ invocation_id ~ "'), "
        ~ "(select stamp from (" ~ sessions.next_run_stamp_query(run_sequence) ~ ") as next_run)))"
    ) }}
{%- endmacro %}
