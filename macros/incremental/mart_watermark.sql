{#-
    Session marts rebuild the sessions of the recompute ranges they have not applied yet. Each
    remembers the stamp of the run up to which it applied them in the state table
    `incremental_watermarks` (created by the on-run-start hook, written by the session_mart
    materialization in the mart's own transaction), so a run that fails half way is caught up
    by the next one.
-#}
{% macro watermarks_relation() -%}
    {{ api.Relation.create(database=target.database, schema='intermediate', identifier='incremental_watermarks') }}
{%- endmacro %}

{#-
    On-run-start: the state tables (see run_stamp for run_sequence), and this invocation's
    place in the run sequence.
-#}
{% macro create_state_tables() -%}
    {{ return(adapter.dispatch('create_state_tables', 'sessions')()) }}
{%- endmacro %}

{#- Spark keeps no state between runs: every build is a full rebuild (see incremental_runs). -#}
{% macro spark__create_state_tables() -%}
    select 1
{%- endmacro %}

{% macro default__create_state_tables() -%}
    create schema if not exists {{ adapter.quote(target.database) }}.intermediate;
    create table if not exists {{ sessions.watermarks_relation() }} (
        model_name varchar primary key,
        applied_through timestamp with time zone not null
    );
    create table if not exists {{ sessions.run_sequence_relation() }} (
        run_number bigint not null,
        invocation_id varchar not null,
        started_at timestamp with time zone not null,
        stamp timestamp with time zone not null
    );
    insert into {{ sessions.run_sequence_relation() }} (run_number, invocation_id, started_at, stamp)
    select next_run.run_number, '{{ invocation_id }}', {{ sessions.run_started_timestamp() }}, next_run.stamp
    from ({{ sessions.next_run_stamp_query() }}) as next_run;
{%- endmacro %}

{% macro mart_watermark() -%}
    {%- if not execute or not is_incremental() -%}
        cast('-infinity' as timestamp with time zone)
    {%- else -%}
        {{ sessions.latest_timestamp(
            sessions.watermarks_relation(), 'applied_through', "model_name = '" ~ this.identifier ~ "'"
        ) }}
    {%- endif -%}
{%- endmacro %}

{#-
    `rebuilt_from`: the watermarked mart this one is computed from. The watermark then never
    passes that mart's: when it has not applied the latest ranges (it was not selected, or it
    failed), this mart read it as it was, and the next run applies those ranges here again.
-#}
{% macro record_mart_watermark(rebuilt_from=none) -%}
    insert or replace into {{ sessions.watermarks_relation() }} (model_name, applied_through)
    {%- if rebuilt_from is none %}
    values ('{{ this.identifier }}', {{ sessions.run_stamp() }})
    {%- else %}
    select
        '{{ this.identifier }}',
        least(
            {{ sessions.run_stamp() }},
            coalesce(max(upstream.applied_through), cast('-infinity' as timestamp with time zone))
        )
    from {{ sessions.watermarks_relation() }} as upstream
    where upstream.model_name = '{{ rebuilt_from }}'
    {%- endif %}
{%- endmacro %}
