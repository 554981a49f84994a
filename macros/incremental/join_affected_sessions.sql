{#-
    An inner join that keeps only the rows an incremental mart rebuilds in this run: the sessions
    of the affected (source, user) pairs numbered after their recompute offset (all of the
    user's rows when `session_number_column` is none). Nothing on a full refresh. Column
    arguments are expressions over the caller's table alias; `source_column` may be a quoted
    literal for a single-source mart. A join, not a correlated subquery: it stays a hash join.
-#}
{% macro join_affected_sessions(source_column, user_column, session_number_column=none) -%}
    {%- if is_incremental() %}
    inner join ({{ sessions.affected_ranges() }}) as affected
        on
            affected.source = {{ source_column }}
            and affected.user_id = {{ user_column }}
            {%- if session_number_column is not none %}
            and {{ session_number_column }} > affected.session_number_offset
            {%- endif %}
    {%- endif %}
{%- endmacro %}
