{#-
    On-run-start: appends this invocation to the state table run_sequence (the declared source
    sessions_state.run_sequence, created here when missing: it must exist before any model of
    the run reads its stamp), with its number and stamp (see run_stamp). Spark keeps no state
    between runs: every build is a full rebuild (see incremental_runs).
-#}
{% macro append_run_sequence() -%}
    {{ return(adapter.dispatch('append_run_sequence', 'sessions')()) }}
{%- endmacro %}

{% macro default__append_run_sequence() -%}
    create schema if not exists {{ adapter.quote(target.database) }}.intermediate;
    create table if not exists {{ sessions.run_sequence_relation() }} (
        run_number bigint not null,
        invocation_id varchar not null,
        started_at timestamp with time zone not null,
        stamp timestamp with time zone not null
    );
    insert into {{ sessions.run_sequence_relation() }} (run_number, invocation_id, started_at, stamp)
    select next_run.run_number, '{{ invocation_id }}', {{ sessions.run_started_timestamp() }}, next_run.stamp
    from ({{ sessions.next_run_stamp_query(sessions.run_sequence_relation()) }}) as next_run;
{%- endmacro %}

{% macro spark__append_run_sequence() -%}
    select 1
{%- endmacro %}
