{#-
    The (source, user_id) pairs whose sessions changed since this mart last applied the recompute
    ranges: all of them on a full refresh (`true`), else a subquery for `(source, user_id) in`.
-#}
{% macro affected_users_condition(source_column='source', user_column='user_id') -%}
    {%- if is_incremental() -%}
        ({{ source_column }}, {{ user_column }}) in (
            select ranges.source, ranges.user_id
            from {{ ref('int_session_recompute_ranges') }} as ranges
            where ranges._computed_at > {{ sessions.mart_watermark() }}
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of user-keyed incremental marts: drop the affected users' rows before re-inserting them. -#}
{% macro delete_affected_users(source_column='source', user_column='user_id') -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ sessions.affected_users_condition(source_column, user_column) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
