{#-
    The inactivity gap, in seconds, of the source named by `source_column`: each source's own var.
-#}
{% macro source_inactivity_seconds(source_column='source') -%}
    case {{ source_column }}
        when 'chat' then {{ var('chat_inactivity_seconds') }}
    end
{%- endmacro %}
