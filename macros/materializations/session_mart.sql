{#-
    The materialization of every session-keyed mart: its SQL says what the mart holds for the
    sessions it rebuilds (on a full refresh, every session), and this materialization owns the
    rest, in one transaction:
    - on a full refresh (or the first run) the table is built anew from the SQL;
    - on an incremental run the rows the run rebuilds are deleted (see delete_rebuilt_rows:
      the sessions, users or days of the recompute ranges the mart has not applied yet), then
      the SQL's rows inserted;
    - then the mart's watermark records the run (see record_mart_watermark), so a run that
      fails leaves the mart and its watermark as they were, and the next run catches up.
    Config: `rebuilds` ('sessions', the default; 'users'; 'days'), `source_name` (a mart of one
    source without a `source` column), `rebuilt_from` (the watermarked mart the SQL reads, whose
    watermark this one never passes).
-#}
{% materialization session_mart, adapter='duckdb' %}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set rebuild_all = existing_relation is none or should_full_refresh() -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- if rebuild_all %}
        {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
        {%- set backup_relation = make_backup_relation(target_relation, 'table') -%}
        {{ drop_relation_if_exists(load_cached_relation(intermediate_relation)) }}
        {{ drop_relation_if_exists(load_cached_relation(backup_relation)) }}
        {% call statement('main') -%}
            {{ create_table_as(False, intermediate_relation, compiled_code) }}
        {%- endcall %}
        {%- if existing_relation is not none %}
            {{ adapter.rename_relation(existing_relation, backup_relation) }}
        {%- endif %}
        {{ adapter.rename_relation(intermediate_relation, target_relation) }}
    {%- else %}
        {%- set rebuilt_relation = make_temp_relation(target_relation) -%}
        {% call statement('rebuilt_rows') -%}
            {{ create_table_as(True, rebuilt_relation, compiled_code) }}
        {%- endcall %}
        {% call statement('delete_rebuilt_rows') -%}
            {{ sessions.delete_rebuilt_rows(
                target_relation, config.get('rebuilds', 'sessions'), config.get('source_name')
            ) }}
        {%- endcall %}
        {%- set columns = adapter.get_columns_in_relation(target_relation) | map(attribute='quoted') | join(', ') -%}
        {% call statement('main') -%}
            insert into {{ target_relation }} ({{ columns }})
            select {{ columns }} from {{ rebuilt_relation }}
        {%- endcall %}
    {%- endif %}

    {% call statement('record_mart_watermark') -%}
        {{ sessions.record_mart_watermark(config.get('rebuilt_from')) }}
    {%- endcall %}

    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do persist_docs(target_relation, model) %}
    {{ adapter.commit() }}

    {%- if rebuild_all %}
        {{ drop_relation_if_exists(backup_relation) }}
    {%- else %}
        {{ drop_relation_if_exists(rebuilt_relation) }}
    {%- endif %}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}


{#-
    The delete of an incremental session_mart run: the rows of the recompute ranges the mart has
    not applied yet (see ranges_not_applied): the ranges' sessions (`rebuilds` 'sessions'),
    every row of their users ('users'), or the UTC days of the events sessionized again since
    the watermark ('days': a session belongs to its first event's day, and every session that
    changed, as it was and as it is now, consists of such events).
-#}
{% macro delete_rebuilt_rows(target_relation, rebuilds, source_name=none) -%}
    {%- set source_column = "'" ~ source_name ~ "'" if source_name else 'existing.source' -%}
    {%- if rebuilds == 'days' %}
    delete from {{ target_relation }} as existing
    using ({{ sessions.rebuilt_days(ref('int_events_sessionized'), ref('user_sessions')) }}) as rebuilt
    where
        existing.source = rebuilt.source
        and existing.date = rebuilt.session_date
    {%- elif rebuilds in ('sessions', 'users') %}
    delete from {{ target_relation }} as existing
    using (
        select * from {{ ref('int_session_recompute_ranges') }} as ranges
        where {{ sessions.since_watermark('ranges._computed_at') }}
    ) as rebuilt
    where
        rebuilt.source = {{ source_column }}
        and rebuilt.user_id = existing.user_id
        {%- if rebuilds == 'sessions' %}
        and {{ sessions.session_in_range('existing.session_number', 'rebuilt') }}
        {%- endif %}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "session_mart: rebuilds must be 'sessions', 'users' or 'days', got '" ~ rebuilds ~ "'"
        ) }}
    {%- endif %}
{%- endmacro %}


{#-
    The (source, UTC day) pairs a session_mart of days rebuilds: the days of the events of
    `sessionized_events` (int_events_sessionized, or a CTE of it) sessionized again since the
    mart's watermark. A session belongs to its first event's day, and every session that
    changed, both as it was and as it is now, consists of such events (a recompute range covers
    whole sessions, and events are never removed), so these include every day that gained,
    lost or changed a session. Every day on a full refresh. With retention on, the days before
    their source's retention cut (from `user_sessions`, the mart or a CTE of it) are final: their
    sessions may be deleted, so an incremental run never counts them again.
-#}
{% macro rebuilt_days(sessionized_events, user_sessions) -%}
    select distinct
        events.source,
        {{ sessions.utc_date('events.event_time') }} as session_date
    from {{ sessionized_events }} as events
    {%- if is_incremental() and var('retention_days') is not none %}
    left join ({{ sessions.retention_cutoffs(user_sessions) }}) as cutoffs
        on events.source = cutoffs.source
    {%- endif %}
    where
        {{ sessions.since_watermark('events._sessionized_at') }}
        {%- if is_incremental() and var('retention_days') is not none %}
        and (
            cutoffs.expires_before is null
            or {{ sessions.utc_date('events.event_time') }}
            >= {{ sessions.utc_date('cutoffs.expires_before') }}
        )
        {%- endif %}
{%- endmacro %}


{#-
    Spark: every build is a full rebuild (see incremental_runs), so a session mart is a table
    built from its SQL (which then covers every session), with no watermark to keep.
-#}
{% materialization session_mart, adapter='spark' %}
    {{ return(materialization_table_spark()) }}
{% endmaterialization %}
