{#-
    The canonical events with identity stitching applied (grain: one row per event, as in
    int_events_unioned): user_id becomes the event's own user, else the user its anonymousId was
    last seen with, else the anonymousId; source_user_id keeps the identity the event was sent
    with. client_session_key is the client session id ('' when the event has none): the
    sessionization cuts sessions per (source, user_id, client_session_key). A view: the sessionization reads only the rows it needs (filters on the event's own
    columns reach the event stream's scan).
-#}
{{ config(materialized='view') }}

with

events as (
    select * from {{ ref('int_events_unioned') }}
),

identities as (
    select * from {{ ref('int_anonymous_ids_stitched') }}
),

stitched as (
    select
        {%- set derived_columns = ('source_user_id', 'user_id', 'client_session_key') %}
        {%- for column in stitched_event_columns() if column not in derived_columns %}
        events.{{ column }},
        {%- endfor %}
        events.user_id as source_user_id,
        coalesce(events.user_id, identities.stitched_user_id, events.anonymous_id) as user_id,
        coalesce(events.client_session_id, '') as client_session_key
    from events
    left join identities
        on
            events.source = identities.source
            and events.anonymous_id = identities.anonymous_id
)

select * from stitched
