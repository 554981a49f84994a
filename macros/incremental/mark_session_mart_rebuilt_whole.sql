{#-
    Pre-hook of the marts (dbt_project.yml): a session mart (incremental_strategy
    session_ranges) built whole (first build, full refresh, table dropped) records -infinity in
    int_incremental_manifest, in its own transaction, so int_sessions_this_run gives it every
    range; record_session_mart_applied then records the run. Nothing for the other marts, or on
    an engine where every build is a full rebuild.
-#}
{% macro mark_session_mart_rebuilt_whole() -%}
    {%- if model.config.get('incremental_strategy') == 'session_ranges'
        and sessions.incremental_runs() and not is_incremental() -%}
        {{ sessions.set_session_mart_applied(sessions.minus_infinity_timestamp()) }}
    {%- endif -%}
{%- endmacro %}
