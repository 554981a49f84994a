{#-
    A where-clause condition keeping the sessions an incremental mart rebuilds in this run: those
    inside a recompute range it has not applied yet (see affected_ranges). True on a full refresh.
    For marts built from another mart; marts built from int_events_sessionized use
    resessionized_since_watermark instead.
-#}
{% macro affected_sessions_filter(source_column, user_column, session_number_column) -%}
    {%- if is_incremental() -%}
        exists (
            select 1
            from ({{ sessions.affected_ranges() }}) as affected
            where
                affected.source = {{ source_column }}
                and affected.user_id = {{ user_column }}
                and {{ sessions.session_in_range(session_number_column, 'affected') }}
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
