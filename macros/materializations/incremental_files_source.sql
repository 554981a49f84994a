{#- The one source (name, table) a model materialized as incremental_files reads. -#}
{% macro incremental_files_source() -%}
    {%- if model.sources | length != 1 -%}
        {{ exceptions.raise_compiler_error(
            "A model materialized as incremental_files reads exactly one source; "
            ~ model.name ~ " reads " ~ model.sources | length ~ "."
        ) }}
    {%- endif -%}
    {{ return(model.sources[0]) }}
{%- endmacro %}
