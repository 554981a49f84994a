{#-
    True for a record of `relation` (a CTE of a base model) that is the first copy of its
    event: `usable`, and the first with its `id_column` in this load (by file name, then line)
    and not among the first copies the model already holds; false for every other record.
    Copies of an event sent twice count once: the copy loaded first is kept.
-#}
{% macro is_first_copy(relation, id_column, usable) -%}
    coalesce({{ usable }}, false)
    and row_number() over (
        partition by coalesce({{ usable }}, false), {{ id_column }}
        order by file_name, line_number
    ) = 1
    {%- if is_incremental() %}
    -- Only the pending ids are looked up among the first copies loaded before.
    and {{ id_column }} not in (
        select loaded.{{ id_column }} from {{ this }} as loaded
        where
            loaded.is_first_copy
            and loaded.{{ id_column }} in (select pending.{{ id_column }} from {{ relation }} as pending)
    )
    {%- endif %}
{%- endmacro %}
