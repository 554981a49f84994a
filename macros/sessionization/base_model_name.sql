{#- The base model of a source: every record of its files, parsed, with a rejection reason. -#}
{% macro base_model_name(source_name) -%}
    {{ return({
        'chat': 'base_chat__message_lines',
        'segment': 'base_segment__event_records',
        'mooc': 'base_mooc__interaction_rows',
        'app': 'base_app__event_lines',
    }[source_name]) }}
{%- endmacro %}
