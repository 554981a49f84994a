{#-
    The feature an event uses (feature_pairs), or null: the `action` of an app `action` event,
    the event name of a Segment `track` event (`track` when it came without one, as
    session_events.event_name shows). Chat messages and MOOC interactions name no feature.
    Reads session_events' columns.
-#}
{% macro action_name(source, event_category, event_name, properties) -%}
    case
        when {{ source }} = 'app' and {{ event_category }} = 'action'
            then {{ sessions.json_path_text(properties, '$.action') }}
        when {{ source }} = 'segment' and {{ event_category }} = 'action'
            then {{ event_name }}
    end
{%- endmacro %}
