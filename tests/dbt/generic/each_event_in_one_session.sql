{#-
    Every event of `model` (one row per event) belongs to exactly one session of `sessions_model`:
    its session exists, has the same partition key (e.g. source and user) and spans the event's
    time, and no other session of that partition has the event's time strictly inside it (two
    sessions may share an end point: an explicit end and a new event at the same instant).
    Fails with one row per offending event.
-#}
{% test each_event_in_one_session(
    model,
    sessions_model,
    partition_by=['user_id'],
    event_time_column='event_time',
    session_start_column='session_start',
    session_end_column='session_end',
    where_clause='true'
) %}

{%- set same_partition -%}
    {%- for column in partition_by %}
        and events.{{ column }} = sessions.{{ column }}
    {%- endfor %}
{%- endset %}

with

events as (
    select
        *,
        {{ event_time_column }} as checked_event_time
    from {{ model }}
    where {{ where_clause }}
),

sessions as (
    select * from {{ sessions_model }}
),

own_session as (
    select
        events.*,
        sessions.session_id as matched_session_id
    from events
    left join sessions
        on
            events.session_id = sessions.session_id
            {{ same_partition }}
            and events.checked_event_time
            between sessions.{{ session_start_column }} and sessions.{{ session_end_column }}
),

covering_sessions as (
    select
        events.session_id,
        events.checked_event_time,
        events.matched_session_id,
        count(sessions.session_id) as other_covering_sessions
    from own_session as events
    left join sessions
        on
            events.checked_event_time > sessions.{{ session_start_column }}
            and events.checked_event_time < sessions.{{ session_end_column }}
            and events.session_id <> sessions.session_id
            {{ same_partition }}
    group by events.session_id, events.checked_event_time, events.matched_session_id, events.event_id
)

select * from covering_sessions
where matched_session_id is null or other_covering_sessions > 0

{% endtest %}
