{#-
    A where-clause condition selecting the upstream rows this incremental model has not processed
    yet: those loaded after the latest `_loaded_at` already in the model (among its rows matching
    `this_filter`, e.g. one source's). The latest value is a literal (latest_timestamp), so the
    upstream scan skips the row groups loaded before it. True on a full refresh.
    Re-processing a batch whose rows were all filtered out is harmless, so a failed run is simply
    caught up by the next one.
-#}
{% macro pending_rows_filter(column='_loaded_at', this_filter='true') -%}
    {%- if is_incremental() -%}
        {{ column }} > {{ sessions.latest_timestamp(this, '_loaded_at', this_filter) }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
