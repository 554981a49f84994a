{#-
    The moment this dbt invocation started, as a timestamptz literal: every row loaded or
    recomputed by a run is stamped with it, and incremental models use it as their watermark.
-#}
{% macro load_timestamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}+00' as timestamp with time zone)
{%- endmacro %}
