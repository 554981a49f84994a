{#- The table of a source's `_<source>__sources.yml` that stands for its input files. -#}
{% macro source_files_table(source_name) -%}
    {{ return({
        'chat': 'message_files',
        'segment': 'event_files',
        'mooc': 'interaction_files',
        'app': 'event_files',
    }[source_name]) }}
{%- endmacro %}
