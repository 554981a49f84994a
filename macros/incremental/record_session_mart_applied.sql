{#-
    Post-hook of the marts (dbt_project.yml): a session mart records, in the transaction that
    wrote its rows, that it applied the ranges of every run up to this one (the run's stamp,
    see run_stamp), at the build's as_of (build_as_of). A mart computed from other session marts (daily_session_stats from
    user_sessions, ...) read them as they stood: it never records a later run than they did,
    so when it ran without them, the next run that brings them up to date rebuilds it too. A
    run that fails leaves the mart and its row as they were.
-#}
{% macro record_session_mart_applied() -%}
    {%- if model.config.get('incremental_strategy') == 'session_ranges' and sessions.incremental_runs() -%}
        {%- set upstream_marts = [] -%}
        {%- for node_id in model.depends_on.nodes -%}
            {%- set node = graph.nodes.get(node_id) -%}
            {%- if node and node.config.get('incremental_strategy') == 'session_ranges' -%}
                {%- do upstream_marts.append(node.name) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if upstream_marts -%}
            {%- set applied = "least(" ~ sessions.run_stamp() ~ ", coalesce((select min(applied_through) from "
                ~ ref('int_incremental_manifest') ~ " where model_name in ('" ~ upstream_marts | join("', '")
                ~ "')), " ~ sessions.run_stamp() ~ "))" -%}
        {%- else -%}
            {%- set applied = sessions.run_stamp() -%}
        {%- endif -%}
        {{ sessions.set_session_mart_applied(applied, sessions.build_as_of()) }}
    {%- endif -%}
{%- endmacro %}
