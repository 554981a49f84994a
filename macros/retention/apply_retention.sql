{#-
    `dbt run-operation apply_retention`: deletes the expired sessions, in one transaction, from
    user_sessions, the other session-level marts (abandoned_workflows, chat_sessions,
    mooc_interaction_sessions, mooc_session_stats) and the sessionized events (the table behind
    session_events). The aggregates (daily_session_stats, session_size_stats' next rebuild
    aside), run_stats, loaded_files, quarantined_events and the staged inputs stay. The exports
    of the trimmed marts are marked stale, so the next run of exported_files rewrites them.
    Scheduled daily by the orchestrators; `make retention` runs it by hand.
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
        'mooc_session_stats', 'int_events_sessionized', 'user_sessions',
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
    {%- set exported = ref('exported_files') -%}
    {%- set exported = adapter.get_relation(
        database=exported.database, schema=exported.schema, identifier=exported.identifier
    ) -%}

    {% call statement('expired_sessions', fetch_result=true) -%}
        create or replace temp table retention_expired_sessions as
        select user_sessions.session_id
        from {{ user_sessions }} as user_sessions
        inner join ({{ sessions.retention_cutoffs(user_sessions) }}) as cutoffs
            on user_sessions.source = cutoffs.source
        where user_sessions.end_time < cutoffs.expires_before;
        select count(*) from retention_expired_sessions
    {%- endcall %}
    {%- set expired = load_result('expired_sessions')['data'][0][0] -%}
    {%- if expired > 0 %}
        {% call statement('delete_expired_sessions') -%}
            {#- user_sessions last: a run stopped part way is completed by the next one. -#}
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
        {%- endcall %}
    {%- endif %}
    {% call statement('drop_expired_sessions') -%}
        drop table retention_expired_sessions
    {%- endcall %}
    {%- do adapter.commit() -%}
    {{ log(
        "apply_retention: deleted " ~ expired ~ " sessions that ended more than "
        ~ var('retention_days') ~ " days before their source's newest session end.",
        info=true,
    ) }}
{%- endmacro %}
