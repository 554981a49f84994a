{#-
    The columns of the canonical event stream, in order, with their types. Every source is
    projected onto exactly these columns by `canonical_event_select`.
-#}
{% macro canonical_event_columns() -%}
    {{ return([
        ('source', dbt.type_string()),
        ('event_id', dbt.type_string()),
        ('user_id', dbt.type_string()),
        ('anonymous_id', dbt.type_string()),
        ('event_time', sessions.type_timestamptz()),
        ('event_name', dbt.type_string()),
        ('event_type', dbt.type_string()),
        ('page', dbt.type_string()),
        ('referrer', dbt.type_string()),
        ('campaign', dbt.type_string()),
        ('channel_id', dbt.type_string()),
        ('item_id', dbt.type_string()),
        ('device_type', dbt.type_string()),
        ('browser', dbt.type_string()),
        ('os', dbt.type_string()),
        ('screen_size', dbt.type_string()),
        ('workflow_id', dbt.type_string()),
        ('session_end_reason', dbt.type_string()),
        ('client_session_id', dbt.type_string()),
        ('properties', sessions.type_json()),
        ('file_name', dbt.type_string()),
        ('line_number', dbt.type_bigint()),
        ('_loaded_at', sessions.type_timestamptz()),
    ]) }}
{%- endmacro %}
