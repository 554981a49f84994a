{#-
    The canonical events with identity stitching applied: user_id becomes the event's own user,
    else the user its anonymousId was last seen with, else the anonymousId; source_user_id keeps
    the identity the event was sent with. `where` filters the events (before stitching).
    Columns: stitched_event_columns().
-#}
{% macro stitched_events(where='true') -%}
    select
        {%- for column in sessions.stitched_event_columns() if column not in ('source_user_id', 'user_id') %}
        events.{{ column }},
        {%- endfor %}
        events.user_id as source_user_id,
        coalesce(events.user_id, identities.stitched_user_id, events.anonymous_id) as user_id
    from {{ ref('int_events_unioned') }} as events
    left join {{ ref('int_anonymous_ids_stitched') }} as identities
        on
            events.source = identities.source
            and events.anonymous_id = identities.anonymous_id
    where {{ where }}
{%- endmacro %}
