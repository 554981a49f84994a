{#-
    Retention (the var `retention_days`; null keeps everything). A session is expired when it
    ended more than `retention_days` days before the newest session end of its source: the cut
    follows each source's data, so a source that stopped sending is not wiped, and replaying an
    old history trims the same sessions as running live. Semantics: docs/retention.md.
-#}

{#- The problem with the var `retention_days`, or none: a whole number of days of at least 1,
    or null. -#}
{% macro retention_days_problem() -%}
    {%- set days = var('retention_days') -%}
    {%- if days is not none and (
        days is not number or days is sameas true or days is sameas false
        or days != days | int or days < 1
    ) -%}
        {{ return("retention_days must be a whole number of days of at least 1 (or null), got: " ~ days) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}


{#- Each source's moment before which its sessions are expired (`expires_before`), as a query
    over `user_sessions` (the mart, or a CTE of it). Only called when retention_days is set. -#}
{% macro retention_cutoffs(user_sessions) -%}
    select
        source,
        max(end_time) - {{ sessions.days_interval(var('retention_days') | int) }} as expires_before
    from {{ user_sessions }}
    group by source
{%- endmacro %}


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


{#-
    The reconciliation of daily_session_stats with user_sessions with retention on: the days
    after the UTC day of the source's cut (whose sessions were never deleted, and which are
    never final). `date_expression` is read with the tested relation's `source`; `true` without
    retention.
-#}
{% macro after_retention_cut_day(date_expression) -%}
    {%- if var('retention_days') is none -%}
        true
    {%- else -%}
        {%- set expires_before -%}
            ((select max(retained.end_time) from {{ ref('user_sessions') }} as retained
              where retained.source = source) - {{ sessions.days_interval(var('retention_days') | int) }})
        {%- endset -%}
        {{ date_expression }} > {{ sessions.utc_date(expires_before) }}
    {%- endif -%}
{%- endmacro %}
