{#- The event types of the product tracking source; any other type is quarantined. -#}
{% macro app_event_types() -%}
    {{ return([
        'session_start',
        'page_view',
        'action',
        'error',
        'heartbeat',
        'session_end',
        'workflow_started',
        'workflow_completed',
    ]) }}
{%- endmacro %}
