{#-
    The names of the sources switched on by their `<source>_enabled` var, in a fixed order.
    Fails with a clear message when none is enabled.
-#}
{% macro enabled_sources() -%}
    {%- set enabled = [] -%}
    {%- for source_name in ['chat', 'segment', 'mooc', 'app'] -%}
        {%- if var(source_name ~ '_enabled') | string | lower in ['true', '1', 'yes'] -%}
            {%- do enabled.append(source_name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if enabled | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "No source is enabled: set at least one of the vars chat_enabled, segment_enabled, "
            ~ "mooc_enabled, app_enabled to true."
        ) }}
    {%- endif -%}
    {{ return(enabled) }}
{%- endmacro %}
