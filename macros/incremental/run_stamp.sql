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
