{#-
    The incremental strategy `session_ranges` of the session marts (dbt's incremental
    materialization calls it on an incremental run, after its schema-change checks): in the
    materialization's one transaction, deletes the mart's rows that this run rebuilds (see
    delete_rebuilt_rows) and inserts the rows the model's SQL selected for them.
    Config: `rebuilds` ('sessions', the default; 'users'; 'days') and `source_name` (a mart of
    one source, without a `source` column).
-#}
{% macro get_incremental_session_ranges_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='quoted') | join(', ') -%}
    {%- set column_names = arg_dict['dest_columns'] | map(attribute='name') | map('lower') | list -%}
    {{ sessions.delete_rebuilt_rows(
        target,
        config.get('rebuilds', 'sessions'),
        config.get('source_name'),
        'client_session_id' in column_names,
    ) }};
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}
