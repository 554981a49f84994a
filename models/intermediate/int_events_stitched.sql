{#-
    The canonical events with identity stitching applied (grain: one row per event, as in
    int_events_unioned): user_id becomes the event's own user, else the user its anonymousId was
    last seen with, else the anonymousId; source_user_id keeps the identity the event was sent
    with. A view: the sessionization reads only the rows it needs (filters on the event's own
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
        {%- for column in stitched_event_columns() if column not in ('source_user_id', 'user_id') %}
        events.{{ column }},
        {%- endfor %}
        events.user_id as source_user_id,
        coalesce(events.user_id, identities.stitched_user_id, events.anonymous_id) as user_id
    from events
    left join identities
        on
            events.source = identities.source
            and events.anonymous_id = identities.anonymous_id
)

select * from stitched
