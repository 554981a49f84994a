{#-
    A select list projecting one source onto the canonical event columns: `expressions` maps a
    canonical column to the source's expression for it; columns a source lacks are typed nulls.
-#}
{% macro canonical_event_select(expressions) -%}
    {%- set known = sessions.canonical_event_columns() | map(attribute=0) | list -%}
    {%- for name in expressions -%}
        {%- if name not in known -%}
            {{ exceptions.raise_compiler_error("canonical_event_select: unknown column '" ~ name ~ "'") }}
        {%- endif -%}
    {%- endfor -%}
    {%- for name, data_type in sessions.canonical_event_columns() %}
        cast({{ expressions.get(name, 'null') }} as {{ data_type }}) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
