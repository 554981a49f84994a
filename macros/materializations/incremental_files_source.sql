{#-
    The one source of input files (name, table) a model materialized as incremental_files
    reads (the project's state, sessions_state, aside: every model that stamps its rows reads
    the run sequence).
-#}
{% macro incremental_files_source() -%}
    {%- set inputs = model.sources | rejectattr(0, 'equalto', 'sessions_state') | list -%}
    {%- if inputs | length != 1 -%}
        {{ exceptions.raise_compiler_error(
            "A model materialized as incremental_files reads exactly one source of input files; "
            ~ model.name ~ " reads " ~ inputs | length ~ "."
        ) }}
    {%- endif -%}
    {{ return(inputs[0]) }}
{%- endmacro %}
