{#-
    Pre-hook of daily_session_stats: deletes the days it recomputes this run (resessionized_days),
    so a day left without any session loses its row. A no-op on a full refresh.
-#}
{% macro delete_resessionized_days() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} as existing
        using ({{ sessions.resessionized_days() }}) as resessionized
        where
            existing.source = resessionized.source
            and existing.date = resessionized.session_date
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
