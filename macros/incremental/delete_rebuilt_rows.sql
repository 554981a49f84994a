{#-
    The delete of the session_ranges strategy: the rows of `target_relation` that this run
    rebuilds, from int_sessions_this_run: the sessions of its ranges (`rebuilds` 'sessions'),
    every row of their users ('users'), or the UTC days of their events ('days', see
    rebuilt_days). `source_name`: the source of a mart of one source (no `source` column).
    A mart of sessions tells apart the client sessions of a user by its client_session_id
    column (`has_client_session_id`); only a mart of one source whose events carry no client
    session id may do without it.
-#}
{% macro delete_rebuilt_rows(target_relation, rebuilds, source_name=none, has_client_session_id=false) -%}
    {%- set source_column = "'" ~ source_name ~ "'" if source_name else 'existing.source' -%}
    {%- if has_client_session_id -%}
        {%- set client_session_key = "coalesce(existing.client_session_id, '')" -%}
    {%- elif rebuilds == 'sessions' and (
        not source_name
        or 'client_session_id' in sessions.source_registry()[source_name]['canonical_columns']
    ) -%}
        {{ exceptions.raise_compiler_error(
            "session_ranges: " ~ target_relation ~ " rebuilds sessions, and its events may carry a "
            ~ "client session id: add a client_session_id column (sessions are cut per user and "
            ~ "client session)"
        ) }}
    {%- else -%}
        {%- set client_session_key = "''" -%}
    {%- endif -%}
    {%- if rebuilds == 'days' %}
    delete from {{ target_relation }} as existing
    using (
        with

        sessionized_events as (
            select * from {{ ref('int_event_sessions') }}
        ),

        sessions_this_run as (
            select * from {{ ref('int_sessions_this_run') }}
        )

        {{ sessions.rebuilt_days('sessionized_events', 'sessions_this_run') }}
    ) as rebuilt
    where
        existing.source = rebuilt.source
        and existing.date = rebuilt.session_date
    {%- elif rebuilds in ('sessions', 'users') %}
    delete from {{ target_relation }} as existing
    using {{ ref('int_sessions_this_run') }} as rebuilt
    where
        rebuilt.source = {{ source_column }}
        and rebuilt.user_id = existing.user_id
        {%- if rebuilds == 'sessions' %}
        and rebuilt.client_session_key = {{ client_session_key }}
        and {{ sessions.session_in_range('existing.session_number', 'rebuilt') }}
        {%- endif %}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "session_ranges: rebuilds must be 'sessions', 'users' or 'days', got '" ~ rebuilds ~ "'"
        ) }}
    {%- endif %}
{%- endmacro %}
