{#-
    Pre-hook of the incremental marts: deletes the rows that this run rebuilds (see
    affected_sessions_condition), before the model inserts them again. A no-op on a full refresh.
    `source_column` is a column of the mart, or a quoted literal for a single-source mart.
-#}
{% macro delete_affected_sessions(source_column='existing.source', session_number_column='existing.session_number') -%}
    {%- if is_incremental() -%}
        delete from {{ this }} as existing
        where {{ sessions.affected_sessions_condition(source_column, 'existing.user_id', session_number_column) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
