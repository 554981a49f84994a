{#-
    Incremental marts rebuild the users of the recompute ranges they have not applied yet. Each
    mart remembers up to which run it applied them in the table `incremental_watermarks`
    (created by the on-run-start hook, updated by the mart's post-hook), so a run that fails
    half way is caught up by the next one.
-#}
{% macro watermarks_relation() -%}
    {{ api.Relation.create(database=target.database, schema='intermediate', identifier='incremental_watermarks') }}
{%- endmacro %}

{% macro create_watermarks_table() -%}
    create schema if not exists {{ adapter.quote(target.database) }}.intermediate;
    create table if not exists {{ sessions.watermarks_relation() }} (
        model_name varchar primary key,
        applied_through timestamp with time zone not null
    );
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

{% macro record_mart_watermark() -%}
    insert or replace into {{ sessions.watermarks_relation() }} (model_name, applied_through)
    values ('{{ this.identifier }}', {{ sessions.load_timestamp() }})
{%- endmacro %}
