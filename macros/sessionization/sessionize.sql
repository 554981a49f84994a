{#-
    Gap-based sessionization of an event stream.

    Adds to every row of `relation`:
      previous_event_time          event time of the previous event of the same partition
      seconds_since_previous_event seconds since that event (null for a partition's first event)
      is_new_session               true where a session starts
      session_number               1, 2, ... per partition, in time order (running sum of the flags)
      event_number_in_session      1, 2, ... per session, in time order
      session_id                   a hash of the partition key, the session's first event time and
                                   first event id: stable when unrelated data is added
      session_first_event_time     event time of the session's first event
      session_first_event_id       event id of the session's first event

    A new session starts at a partition's first event, when the gap to the previous event is
    greater than `inactivity_seconds` (an equal gap stays in the session), where
    `starts_session_expression` is true for the event itself, or where
    `ends_session_expression` was true for the previous event.

    `range_by` (a list of columns, optional) splits each partition into ranges sessionized
    independently, each numbered from 1: an incremental run sessionizes several stretches of one
    user's history at once. The session id depends on `partition_by` only.

    Events with equal times are ordered by `tiebreakers` (then `event_id`), so the result never
    depends on file order. `inactivity_seconds` may be a number or a column expression (one gap
    per source). The partition columns and `event_id` must identify a row (not null): the
    windows sort only the ordering keys, and the other columns are joined back on them, since
    sorting wide rows is what makes window functions slow.
-#}
{% macro sessionize(
    relation,
    partition_by,
    event_time='event_time',
    event_id='event_id',
    tiebreakers=[],
    inactivity_seconds=1800,
    starts_session_expression='false',
    ends_session_expression='false',
    range_by=[]
) -%}
    {{ return(adapter.dispatch('sessionize', 'sessions')(
        relation,
        partition_by,
        range_by,
        event_time,
        event_id,
        tiebreakers,
        inactivity_seconds,
        starts_session_expression,
        ends_session_expression
    )) }}
{%- endmacro %}

{% macro default__sessionize(
    relation,
    partition_by,
    range_by,
    event_time,
    event_id,
    tiebreakers,
    inactivity_seconds,
    starts_session_expression,
    ends_session_expression
) -%}
{%- set partition_list = (partition_by + range_by) | join(', ') -%}
{%- set event_order = ([event_time] + tiebreakers + [event_id]) | join(', ') -%}
{%- set session_key = [] -%}
{%- for column in partition_by -%}
    {%- do session_key.append('sessions_of_events.' ~ column) -%}
{%- endfor -%}
{%- do session_key.append(sessions.epoch_microseconds('sessions_of_events.session_first_event_time')) -%}
{%- do session_key.append('sessions_of_events.session_first_event_id') -%}
with

event_keys as (
    -- The windows sort only these narrow rows; the other columns are joined back at the end.
    select
        {%- for column in partition_by + range_by + [event_time] + tiebreakers + [event_id] %}
        {{ column }},
        {%- endfor %}
        coalesce({{ starts_session_expression }}, false) as starts_session,
        coalesce({{ ends_session_expression }}, false) as ends_session,
        {{ inactivity_seconds }} as inactivity_seconds
    from {{ relation }}
),

events_with_previous as (
    -- First sort: the previous event, and each event's position in its partition.
    select
        *,
        lag({{ event_time }}) over (
            partition by {{ partition_list }}
            order by {{ event_order }}
        ) as previous_event_time,
        lag(ends_session) over (
            partition by {{ partition_list }}
            order by {{ event_order }}
        ) as previous_event_ends_session,
        row_number() over (
            partition by {{ partition_list }}
            order by {{ event_order }}
        ) as event_position
    from event_keys
),

events_flagged as (
    select
        *,
        {{ sessions.microseconds_as_seconds(
            sessions.epoch_microseconds(event_time) ~ ' - ' ~ sessions.epoch_microseconds('previous_event_time')
        ) }} as seconds_since_previous_event,
        (
            previous_event_time is null
            or {{ sessions.gap_exceeded('previous_event_time', event_time, 'inactivity_seconds') }}
            or starts_session
            or coalesce(previous_event_ends_session, false)
        ) as is_new_session
    from events_with_previous
),

events_with_session_start as (
    -- Second sort: running aggregates up to each event. The latest session start so far is the
    -- start of the event's own session (event order only grows).
    select
        *,
        cast(sum(case when is_new_session then 1 else 0 end) over running_events as {{ dbt.type_bigint() }})
            as session_number,
        max(case when is_new_session then {{ event_time }} end) over running_events
            as session_first_event_time,
        max_by({{ event_id }}, case when is_new_session then event_position end) over running_events
            as session_first_event_id,
        event_position
        - max(case when is_new_session then event_position end) over running_events
        + 1 as event_number_in_session
    from events_flagged
    window running_events as (
        partition by {{ partition_list }}
        order by {{ event_order }}
        rows between unbounded preceding and current row
    )
),

events_sessionized as (
    select
        event_rows.*,
        sessions_of_events.previous_event_time,
        sessions_of_events.seconds_since_previous_event,
        sessions_of_events.is_new_session,
        sessions_of_events.session_number,
        sessions_of_events.session_first_event_time,
        sessions_of_events.session_first_event_id,
        sessions_of_events.event_number_in_session,
        {{ sessions.surrogate_key(session_key) }} as session_id
    from {{ relation }} as event_rows
    inner join events_with_session_start as sessions_of_events
        on
            {%- for column in partition_by + [event_id] %}
            event_rows.{{ column }} = sessions_of_events.{{ column }}
            {%- if not loop.last %} and{% endif %}
            {%- endfor %}
)

select * from events_sessionized
{%- endmacro %}
