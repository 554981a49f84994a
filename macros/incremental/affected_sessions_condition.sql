{#-
    A where-clause condition selecting the rows an incremental mart must rebuild: rows of the
    (source, user) pairs in the recompute ranges this mart has not applied yet, and, when
    `session_number_column` is given, only their sessions numbered after the range's offset (the
    earlier sessions cannot have changed). True on a full refresh. Pass column expressions
    qualified by the caller's table alias, or a quoted literal for a single-source mart's source.
-#}
{% macro affected_sessions_condition(source_column, user_column, session_number_column=none) -%}
    {%- if is_incremental() -%}
        exists (
            select 1
            from {{ ref('int_session_recompute_ranges') }} as ranges
            where
                ranges._computed_at > {{ sessions.mart_watermark() }}
                and ranges.source = {{ source_column }}
                and ranges.user_id = {{ user_column }}
                {%- if session_number_column is not none %}
                and {{ session_number_column }} > ranges.session_number_offset
                {%- endif %}
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
