{#-
    Pre-hook of the incremental marts: deletes the rows that this run rebuilds (the sessions of
    the affected ranges, see affected_ranges; every session of the affected users when
    `session_number_column` is none) before the model inserts them again. A no-op on a full
    refresh. `source_column` is a column of the mart, or a quoted literal for a single-source mart.
-#}
{% macro delete_affected_sessions(source_column='existing.source', session_number_column='existing.session_number') -%}
    {%- if is_incremental() -%}
        delete from {{ this }} as existing
        using ({{ sessions.affected_ranges() }}) as affected
        where
            affected.source = {{ source_column }}
            and affected.user_id = existing.user_id
            {%- if session_number_column is not none %}
            and {{ sessions.session_in_range(session_number_column, 'affected') }}
            {%- endif %}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
