{#- One source's registry entry; a clear error for a name that is not registered. -#}
{% macro source_entry(source_name) -%}
    {%- set registry = sessions.source_registry() -%}
    {%- if source_name not in registry -%}
        {{ exceptions.raise_compiler_error(
            "Unknown source '" ~ source_name ~ "' (registered: " ~ registry.keys() | join(', ')
            ~ "; see macros/sources/source_registry.sql)"
        ) }}
    {%- endif -%}
    {{ return(registry[source_name]) }}
{%- endmacro %}
