{#-
    The inactivity gap, in seconds, of the source named by `source_column`: each source's own var
    (`<source>_inactivity_seconds`).
-#}
{% macro source_inactivity_seconds(source_column='source') -%}
    case {{ source_column }}
        {%- for source_name in ['chat', 'segment', 'mooc', 'app'] %}
        when '{{ source_name }}' then {{ var(source_name ~ '_inactivity_seconds') }}
        {%- endfor %}
    end
{%- endmacro %}
