{#-
    The inactivity gap, in seconds, of the source named by `source_column` (an SQL expression):
    each source's gap var.
-#}
{% macro source_inactivity_seconds(source_column='source') -%}
    case {{ source_column }}
        {%- for source_name, entry in sessions.source_registry().items() %}
        when '{{ source_name }}' then {{ var(entry.gap_var) }}
        {%- endfor %}
    end
{%- endmacro %}
