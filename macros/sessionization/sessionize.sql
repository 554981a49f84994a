{#-
    Gap-based sessionization of an event stream.

    Returns, for every row of `relation`, its partition, range, ordering and `columns` columns,
    `inactivity_seconds`, and:
      previous_event_time          event time of the previous event of the same partition
      seconds_since_previous_event seconds since that event (null for a partition's first event)
      is_new_session               true where a session starts
      session_number               1, 2, ... per partition, in time order (running sum of the flags)
      event_number_in_session      1, 2, ... per session, in time order
      session_id                   a hash of the partition key, the session's first event time and
                                   first event id: stable when unrelated data is added

    A new session starts at a partition's first event, when the gap to the previous event is
    greater than `inactivity_seconds` (an equal gap stays in the session), where
    `starts_session_expression` is true for the event itself, or where
    `ends_session_expression` was true for the previous event.

    `range_by` (a list of columns, optional) splits each partition into ranges sessionized
    independently, each numbered from 1: an incremental run sessionizes several stretches of one
    user's history at once. The session id depends on `partition_by` only.

    `columns` (a list, optional) names the other columns of `relation` to keep: they are carried
    through the sorts, so keep them few and narrow (the caller joins wide attributes to the
    result by `event_id`: sorting wide rows is what makes window functions slow).

    Events with equal times are ordered by `tiebreakers` (then `event_id`), so the result never
    depends on file order. `inactivity_seconds` may be a number or a column expression (one gap
    per source). The partition columns and `event_id` must identify a row (not null).
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
    range_by=[],
    columns=[]
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
        ends_session_expression,
        columns
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
    ends_session_expression,
    columns
) -%}
{%- set partition_list = (partition_by + range_by) | join(', ') -%}
{%- set event_order = ([event_time] + tiebreakers + [event_id]) | join(', ') -%}
{#- A session's id is a hash of its first event's partition, time and id: hashed on the first
    events only, then carried to the others by the running window. -#}
{%- set session_key = partition_by + [sessions.epoch_microseconds(event_time), event_id] -%}
with

event_keys as (
    -- The windows sort only these narrow rows.
    select
        {%- for column in partition_by + range_by + [event_time] + tiebreakers + [event_id] + (columns or []) %}
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

events_with_session_key as (
    select
        *,
        case when is_new_session then {{ sessions.surrogate_key(session_key) }} end as new_session_id
    from events_flagged
),

events_with_session_start as (
    -- Second sort: running aggregates up to each event. The latest session start so far is the
    -- start of the event's own session (event order only grows).
    select
        *,
        cast(sum(case when is_new_session then 1 else 0 end) over running_events as {{ dbt.type_bigint() }})
            as session_number,
        max_by(new_session_id, case when is_new_session then event_position end) over running_events
            as session_id,
        event_position
        - max(case when is_new_session then event_position end) over running_events
        + 1 as event_number_in_session
    from events_with_session_key
    window running_events as (
        partition by {{ partition_list }}
        order by {{ event_order }}
        rows between unbounded preceding and current row
    )
),

events_sessionized as (
    select
        {%- for column in partition_by + range_by + [event_time] + tiebreakers + [event_id] + columns + [
            'inactivity_seconds', 'previous_event_time', 'seconds_since_previous_event', 'is_new_session',
            'session_number', 'event_number_in_session', 'session_id',
        ] %}
        sessions_of_events.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from events_with_session_start as sessions_of_events
)

select * from events_sessionized
{%- endmacro %}
