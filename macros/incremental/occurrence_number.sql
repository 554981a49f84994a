{#-
    Numbers equal events (same `content_key`) 1, 2, ... so that identical copies stay distinct
    events with stable ids. On an incremental run the numbering continues after the copies already
    in the model, so the set of ids of a content key is the same as on a full refresh.
    Expects a CTE or relation `relation` with content_key, file_name, line_number;
    `earlier_filter` restricts which rows already in the model count as copies.
-#}
{% macro occurrence_number(relation, earlier_filter='true') -%}
    {%- if is_incremental() -%}
        coalesce((
            select count(*) from {{ this }} as earlier
            where
                earlier.content_key = {{ relation }}.content_key
                and {{ earlier_filter }}
                -- Redundant for the result, but it lets DuckDB count only the copies of the
                -- pending keys instead of grouping the whole model on every run.
                and earlier.content_key in (select pending.content_key from {{ relation }} as pending)
        ), 0)
        +
    {%- endif %}
    row_number() over (
        partition by {{ relation }}.content_key
        order by {{ relation }}.file_name, {{ relation }}.line_number
    )
{%- endmacro %}
