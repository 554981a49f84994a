{#-
    dbt's is_incremental(), extended to the project's own incremental materializations
    (incremental_files): true when the model's table exists and this is not a full
    refresh, so the model adds to it rather than building it anew. Unit tests override it as
    they override dbt's.
-#}
{% macro is_incremental() -%}
    {%- if not execute or not sessions.incremental_runs() -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(this.database, this.schema, this.table) -%}
    {{ return(
        relation is not none
        and relation.type == 'table'
        and model.config.materialized in ('incremental', 'incremental_files')
        and not should_full_refresh()
    ) }}
{%- endmacro %}
