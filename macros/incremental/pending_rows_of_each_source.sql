{#-
    pending_rows_filter for a model that holds rows of every enabled source (a `source` column):
    each source's pending rows after that source's own latest `_loaded_at` in the model, so a
    source switched on later still has its earlier loads picked up. True on a full refresh.
-#}
{% macro pending_rows_of_each_source(column='_loaded_at') -%}
    {%- if is_incremental() -%}
        (
        {%- for source_name in sessions.enabled_sources() %}
            (source = '{{ source_name }}' and {{ sessions.pending_rows_filter(column, "source = '" ~ source_name ~ "'") }})
            {%- if not loop.last %} or{% endif %}
        {%- endfor %}
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
