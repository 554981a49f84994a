{#-
    The recompute ranges an incremental mart has not applied yet (normally this run's; more when
    the mart failed in earlier runs), one row per range: the user's sessions numbered after
    session_number_offset, up to session_number_limit when it is not null, are rebuilt.
-#}
{% macro affected_ranges() -%}
    select
        ranges.source,
        ranges.user_id,
        ranges.session_number_offset,
        ranges.session_number_limit
    from {{ ref('int_session_recompute_ranges') }} as ranges
    where ranges._computed_at > {{ sessions.mart_watermark() }}
{%- endmacro %}
