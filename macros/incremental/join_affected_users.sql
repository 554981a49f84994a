{#-
    An inner join that keeps only the rows of the users with a recompute range this incremental
    mart has not applied yet (see affected_ranges). Nothing on a full refresh. Column arguments are
    expressions over the caller's table alias; `source_column` may be a quoted literal.
-#}
{% macro join_affected_users(source_column, user_column) -%}
    {%- if is_incremental() %}
    inner join (
        select distinct affected.source, affected.user_id
        from ({{ sessions.affected_ranges() }}) as affected
    ) as affected_users
        on
            affected_users.source = {{ source_column }}
            and affected_users.user_id = {{ user_column }}
    {%- endif %}
{%- endmacro %}
