{#-
    The names of the sources switched on by their enabled var, in registry order; with `having`,
    only those whose entry has that key true (e.g. 'has_anonymous_ids'). Fails with a clear
    message when no source is enabled.
-#}
{% macro enabled_sources(having=none) -%}
    {%- set enabled = [] -%}
    {%- set enabled_vars = [] -%}
    {%- for source_name, entry in sessions.source_registry().items() -%}
        {%- do enabled_vars.append(entry.enabled_var) -%}
        {%- if var(entry.enabled_var) | string | lower in ['true', '1', 'yes']
            and (having is none or entry[having]) -%}
            {%- do enabled.append(source_name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if enabled | length == 0 and having is none -%}
        {{ exceptions.raise_compiler_error(
            "No source is enabled: set at least one of the vars " ~ enabled_vars | join(', ')
            ~ " to true."
        ) }}
    {%- endif -%}
    {{ return(enabled) }}
{%- endmacro %}
