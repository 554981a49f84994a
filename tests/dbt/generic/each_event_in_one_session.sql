{#-
    Every event of `model` (one row per event) belongs to exactly one session of `sessions_model`:
    its session exists, has the same partition key (e.g. source and user; compared null-safe,
    as a nullable client_session_id is part of it) and spans the event's
    time, and no other session of that partition has the event's time strictly inside it (two
    sessions may share an end point: an explicit end and a new event at the same instant).
    Fails with one row per offending event and problem.

    With `latest_run_column` (a time each run stamps on the rows it writes, e.g.
    `_sessionized_at`), the check covers the sessions the latest run wrote: each of their events
    in its own session and in no other, and no other event of the partition strictly inside one
    of them. Events of earlier runs whose session disappeared are the concern of a
    relationships test. The var test_whole_history checks every event.
-#}
{% test each_event_in_one_session(
    model,
    sessions_model,
    partition_by=['user_id'],
    event_time_column='event_time',
    session_start_column='session_start',
    session_end_column='session_end',
    where_clause='true',
    latest_run_column=none
) %}

{%- set same_partition -%}
    {%- for column in partition_by %}
        and events.{{ column }} is not distinct from sessions.{{ column }}
    {%- endfor %}
{%- endset %}

{#- A run that wrote every row (a full refresh) is checked as a whole. -#}
{%- set latest_rows = sessions.latest_run_rows(model, latest_run_column) if latest_run_column else 'true' %}
{%- set only_latest_run = latest_rows != 'true' %}

with
{%- if only_latest_run %}

latest_events as (
    select session_id
    from {{ model }}
    where ({{ where_clause }}) and {{ latest_rows }}
),
{%- endif %}

-- The events checked (every event, or those of the sessions the latest run wrote), only the
-- columns the checks read: the joins below hold them, and a history has millions.
events as (
    select
        session_id,
        event_id,
        {%- for column in partition_by %}
        {{ column }},
        {%- endfor %}
        {{ event_time_column }} as checked_event_time
    from {{ model }}
    where
        {{ where_clause }}
        {%- if only_latest_run %}
        and session_id in (select latest_events.session_id from latest_events)
        {%- endif %}
),

sessions as (
    select
        session_id,
        {%- for column in partition_by %}
        {{ column }},
        {%- endfor %}
        {{ session_start_column }} as session_start,
        {{ session_end_column }} as session_end
    from {{ sessions_model }}
),

-- Each query below returns offending events only, so only they are grouped.
events_outside_own_session as (
    select
        events.session_id,
        events.event_id,
        events.checked_event_time,
        'not inside its own session' as problem,
        0 as other_covering_sessions
    from events
    left join sessions
        on
            events.session_id = sessions.session_id
            {{ same_partition }}
            and events.checked_event_time between sessions.session_start and sessions.session_end
    where sessions.session_id is null
),

events_inside_other_sessions as (
    select
        events.session_id,
        events.event_id,
        events.checked_event_time,
        'inside another session' as problem,
        count(*) as other_covering_sessions
    from events
    inner join sessions
        on
            events.checked_event_time > sessions.session_start
            and events.checked_event_time < sessions.session_end
            and events.session_id <> sessions.session_id
            {{ same_partition }}
    group by events.session_id, events.event_id, events.checked_event_time
)

{%- if only_latest_run %},

-- The sessions the latest run wrote, and any event of their partition strictly inside one of
-- them that is not its own (e.g. an older event a session grew over).
written_sessions as (
    select *
    from sessions
    where session_id in (select latest_events.session_id from latest_events)
),

events_inside_written_sessions as (
    select
        events.session_id,
        events.event_id,
        events.{{ event_time_column }} as checked_event_time,
        'inside a session the latest run wrote' as problem,
        count(*) as other_covering_sessions
    from (select * from {{ model }} where {{ where_clause }}) as events
    inner join written_sessions as sessions
        on
            events.{{ event_time_column }} > sessions.session_start
            and events.{{ event_time_column }} < sessions.session_end
            and events.session_id <> sessions.session_id
            {{ same_partition }}
    group by events.session_id, events.event_id, events.{{ event_time_column }}
)
{%- endif %}

select * from events_outside_own_session
union all
select * from events_inside_other_sessions
{%- if only_latest_run %}
union all
select * from events_inside_written_sessions
{%- endif %}

{% endtest %}
