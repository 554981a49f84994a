{#-
    The run sequence: the one clock of every incremental model. The on-run-start hook
    (create_state_tables) appends a row per dbt invocation to the state table run_sequence:
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
    The stamp of the next run after those in run_sequence, as a query on it: the start time, or
    one microsecond after the latest stamp when that is not earlier.
-#}
{% macro next_run_stamp_query() -%}
    select
        coalesce(max(run_number), 0) + 1 as run_number,
        greatest(
            {{ sessions.run_started_timestamp() }},
            coalesce(max(stamp) + interval 1 microsecond, {{ sessions.run_started_timestamp() }})
        ) as stamp
    from {{ sessions.run_sequence_relation() }}
{%- endmacro %}

{#-
    This run's stamp, as a timestamptz literal: read from run_sequence when the model runs (the
    on-run-start hook has appended this invocation). A command that runs no hook (e.g.
    `dbt compile`) gets the stamp the next run would get; before the first run, its start time.
-#}
{% macro run_stamp() -%}
    {%- if not sessions.incremental_runs() -%}
        {#- Every run rebuilds everything (see incremental_runs): its start time is its stamp. -#}
        {{ return(sessions.run_started_timestamp()) }}
    {%- endif -%}
    {%- if not execute -%}
        {{ return(sessions.run_started_timestamp()) }}
    {%- endif -%}
    {%- if load_relation(sessions.run_sequence_relation()) is none -%}
        {{ return(sessions.run_started_timestamp()) }}
    {%- endif -%}
    {%- set result = run_query(
        "select coalesce("
        ~ "(select cast(max(stamp) as varchar) from " ~ sessions.run_sequence_relation()
        ~ " where invocation_id = '" ~ invocation_id ~ "'), "
        ~ "(select cast(stamp as varchar) from (" ~ sessions.next_run_stamp_query() ~ ")))"
    ) -%}
    {{ return(sessions.timestamp_literal(result.columns[0].values()[0])) }}
{%- endmacro %}
