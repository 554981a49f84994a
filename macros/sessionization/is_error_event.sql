{#-
    The condition that an event is an error, on its event category (`category`: the column or
    expression, event_category by default): the one definition behind user_sessions'
    error_count and exit_reason 'error', and abandoned_workflows' status 'failed'.
-#}
{% macro is_error_event(category='event_category') -%}
    ({{ category }} = 'error')
{%- endmacro %}
