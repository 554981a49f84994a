{#-
    The recompute ranges an incremental mart has not applied yet, one row per (source, user_id)
    with the smallest session_number_offset: the user's sessions numbered after it are rebuilt.
-#}
{% macro affected_ranges() -%}
    select
        ranges.source,
        ranges.user_id,
        min(ranges.session_number_offset) as session_number_offset
    from {{ ref('int_session_recompute_ranges') }} as ranges
    where ranges._computed_at > {{ sessions.mart_watermark() }}
    group by ranges.source, ranges.user_id
{%- endmacro %}
