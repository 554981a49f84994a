{#-
    `dbt run-operation apply_retention`: deletes the expired sessions (ended before
    retention_cut: the var as_of, else now, minus retention_days), in one transaction, from
    user_sessions, the other session-level marts (abandoned_workflows, chat_sessions,
    mooc_interaction_sessions, mooc_session_stats) and the events' sessions (int_event_sessions, the table behind
    session_events), and logs the cut in retention_runs (same transaction). The aggregates
    (daily_session_stats, session_size_stats' next rebuild aside), run_stats, loaded_files,
    quarantined_events and the staged inputs stay. The exports of the trimmed marts are marked
    stale, so the next run of exported_files rewrites them. The collector's store and landing
    files are cleaned after it by `python -m sessions_retention` (it reads the cut logged here).
    Scheduled daily by the orchestrators; `make retention` runs all three by hand.
-#}
{% macro apply_retention() -%}
    {%- set problem = sessions.retention_days_problem() -%}
    {%- if problem -%}
        {{ exceptions.raise_compiler_error("apply_retention: " ~ problem) }}
    {%- endif -%}
    {%- if var('retention_days') is none -%}
        {{ log("apply_retention: retention_days is not set, every session is kept.", info=true) }}
        {{ return(none) }}
    {%- endif -%}
    {%- set session_tables = [] -%}
    {%- for model in [
        'abandoned_workflows', 'chat_sessions', 'mooc_interaction_sessions',
        'mooc_session_stats', 'int_event_sessions', 'user_sessions',
    ] -%}
        {%- set node = ref(model) -%}
        {%- set relation = adapter.get_relation(
            database=node.database, schema=node.schema, identifier=node.identifier
        ) -%}
        {%- if relation is not none -%}
            {%- do session_tables.append(relation) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if session_tables | length == 0 or session_tables[-1].identifier != 'user_sessions' -%}
        {{ log("apply_retention: user_sessions is not built yet, nothing to delete.", info=true) }}
        {{ return(none) }}
    {%- endif -%}
    {%- set user_sessions = session_tables[-1] -%}
    {%- set log_node = ref('retention_runs') -%}
    {%- set retention_log = adapter.get_relation(
        database=log_node.database, schema=log_node.schema, identifier=log_node.identifier
    ) -%}
    {%- if retention_log is none -%}
        {{ exceptions.raise_compiler_error(
            "apply_retention: " ~ log_node ~ " does not exist yet: run `dbt build` (make build) "
            ~ "once with this version of the project, then retention again."
        ) }}
    {%- endif -%}
    {%- set exported = ref('exported_files') -%}
    {%- set exported = adapter.get_relation(
        database=exported.database, schema=exported.schema, identifier=exported.identifier
    ) -%}

    {%- set cut_query = run_query(
        "select cast(" ~ sessions.retention_cut() ~ " as varchar), cast("
        ~ sessions.retention_cut() ~ " + " ~ sessions.days_interval(var('retention_days') | int)
        ~ " as varchar)"
    ) -%}
    {%- set cut = cut_query.rows[0][0] -%}
    {%- if cut is none -%}
        {{ exceptions.raise_compiler_error(
            "apply_retention: as_of must be an ISO-8601 timestamp (or null), got: " ~ var('as_of')
        ) }}
    {%- endif -%}
    {%- set counted_from = cut_query.rows[0][1] -%}

    {% call statement('expired_sessions', fetch_result=true) -%}
        create or replace temp table retention_expired_sessions as
        select session_id
        from {{ user_sessions }}
        where end_time < {{ sessions.timestamp_literal(cut) }};
        select count(*) from retention_expired_sessions
    {%- endcall %}
    {%- set expired = load_result('expired_sessions')['data'][0][0] -%}
    {% call statement('delete_expired_sessions') -%}
        {#- user_sessions last: a run stopped part way is completed by the next one. -#}
        {%- if expired > 0 %}
        {%- for relation in session_tables %}
        delete from {{ relation }}
        where session_id in (select session_id from retention_expired_sessions);
        {%- endfor %}
        {%- if exported is not none %}
        delete from {{ exported }}
        where mart in ('user_sessions', 'abandoned_workflows', 'chat_sessions',
            'mooc_interaction_sessions', 'active_sessions', 'session_size_stats',
            'user_session_patterns');
        {%- endif %}
        {%- endif %}
        insert into {{ retention_log }}
            (applied_at, counted_from, retention_days, expires_before, sessions_deleted)
        values (
            {{ sessions.run_started_timestamp() }},
            {{ sessions.timestamp_literal(counted_from) }},
            {{ var('retention_days') | int }},
            {{ sessions.timestamp_literal(cut) }},
            {{ expired }}
        );
        drop table retention_expired_sessions
    {%- endcall %}
    {%- do adapter.commit() -%}
    {{ log(
        "apply_retention: deleted " ~ expired ~ " sessions that ended before " ~ cut
        ~ " (" ~ var('retention_days') ~ " days before " ~ counted_from ~ ").",
        info=true,
    ) }}
{%- endmacro %}
