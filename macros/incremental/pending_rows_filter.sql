{#-
    A where-clause condition selecting the upstream rows this incremental model has not processed
    yet: those loaded after the latest `_loaded_at` already in the model (among its rows matching
    `this_filter`, e.g. one source's). True on a full refresh.
    Re-processing a batch whose rows were all filtered out is harmless, so a failed run is simply
    caught up by the next one.
-#}
{% macro pending_rows_filter(column='_loaded_at', this_filter='true') -%}
    {%- if is_incremental() -%}
        {{ column }} > (
            select coalesce(max(_loaded_at), cast('-infinity' as timestamp with time zone))
            from {{ this }}
            where {{ this_filter }}
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
