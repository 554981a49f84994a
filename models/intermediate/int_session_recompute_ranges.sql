{#-
    Which part of which user's history each run must sessionize again (grain: one row per run,
    source and user affected by it). A user is affected by newly loaded events and by identity
    stitching moving events to or from them. Sessions before the one containing (or preceding)
    the user's earliest change cannot change, so a range starts at the first event of that
    session (from_* columns; null: the user's whole history) and session numbers continue after
    session_number_offset. Appended by every run; int_events_sessionized applies the ranges of the
    current run, and the incremental marts rebuild the users of ranges newer than their watermark.

    It reads the sessionized events as they stand before this run (without ref: they are this
    run's input state, built downstream); on a full refresh every user's whole history is a range.
-#}
{{ config(materialized='incremental', incremental_strategy='append') }}
{%- set prior = none -%}
{%- if execute and is_incremental() and not flags.FULL_REFRESH -%}
    {%- set prior = adapter.get_relation(this.database, this.schema, 'int_events_sessionized') -%}
{%- endif %}

with

events as (
    {{ stitched_events() }}
),

{% if prior is none %}
changes as (
    select
        source,
        user_id,
        event_time,
        event_sort_rank,
        event_id,
        false as arrived_late
    from events
),

anchors as (
    select
        cast(null as varchar) as source,
        cast(null as varchar) as user_id,
        cast(null as bigint) as session_number,
        cast(null as timestamp with time zone) as from_event_time,
        cast(null as integer) as from_event_sort_rank,
        cast(null as varchar) as from_event_id
    where false
),
{% else %}
prior_events as (
    select * from {{ prior }}
),

watermark as (
    select coalesce(max(_loaded_at), cast('-infinity' as timestamp with time zone)) as loaded_through
    from prior_events
),

pending_events as (
    select * from events
    where _loaded_at > (select watermark.loaded_through from watermark)
),

restitched_anonymous_ids as (
    select anonymous_id from {{ ref('int_anonymous_ids_stitched') }}
    where _loaded_at > (select watermark.loaded_through from watermark)
),

last_prior_event_per_user as (
    -- Only for the users with new events: the cost follows the new data, not the history.
    select
        prior_events.source,
        prior_events.user_id,
        max(prior_events.event_time) as last_event_time
    from prior_events
    where (prior_events.source, prior_events.user_id) in (
        select pending_events.source, pending_events.user_id from pending_events
    )
    group by prior_events.source, prior_events.user_id
),

changes as (
    -- New events, with their owner after stitching; late when older than the owner's last event.
    select
        pending_events.source,
        pending_events.user_id,
        pending_events.event_time,
        pending_events.event_sort_rank,
        pending_events.event_id,
        coalesce(pending_events.event_time < last_prior_event_per_user.last_event_time, false)
            as arrived_late
    from pending_events
    left join last_prior_event_per_user
        on
            pending_events.source = last_prior_event_per_user.source
            and pending_events.user_id = last_prior_event_per_user.user_id
    union all
    -- Events of an anonymousId whose stitched user changed: their former owner...
    select
        prior_events.source,
        prior_events.user_id,
        prior_events.event_time,
        prior_events.event_sort_rank,
        prior_events.event_id,
        false as arrived_late
    from prior_events
    where prior_events.anonymous_id in (select restitched_anonymous_ids.anonymous_id from restitched_anonymous_ids)
    union all
    -- ... and their new owner.
    select
        events.source,
        events.user_id,
        events.event_time,
        events.event_sort_rank,
        events.event_id,
        false as arrived_late
    from events
    where events.anonymous_id in (select restitched_anonymous_ids.anonymous_id from restitched_anonymous_ids)
),

earliest_changes as (
    select
        source,
        user_id,
        event_time,
        event_sort_rank,
        event_id
    from changes
    qualify row_number() over (
        partition by source, user_id
        order by event_time, event_sort_rank, event_id
    ) = 1
),

last_events_before_change as (
    -- Each affected user's last sessionized event ordered before the earliest change.
    select
        prior_events.source,
        prior_events.user_id,
        prior_events.session_number,
        prior_events.session_first_event_time,
        prior_events.session_first_event_id
    from prior_events
    inner join earliest_changes
        on
            prior_events.source = earliest_changes.source
            and prior_events.user_id = earliest_changes.user_id
            and (prior_events.event_time, prior_events.event_sort_rank, prior_events.event_id)
            < (earliest_changes.event_time, earliest_changes.event_sort_rank, earliest_changes.event_id)
    qualify row_number() over (
        partition by prior_events.source, prior_events.user_id
        order by prior_events.event_time desc, prior_events.event_sort_rank desc, prior_events.event_id desc
    ) = 1
),

anchors as (
    -- The session of that event: everything from its first event on is sessionized again.
    select
        last_events_before_change.source,
        last_events_before_change.user_id,
        last_events_before_change.session_number,
        last_events_before_change.session_first_event_time as from_event_time,
        first_events.event_sort_rank as from_event_sort_rank,
        last_events_before_change.session_first_event_id as from_event_id
    from last_events_before_change
    inner join prior_events as first_events
        on
            last_events_before_change.source = first_events.source
            and last_events_before_change.session_first_event_id = first_events.event_id
),
{% endif %}

affected_users as (
    select
        source,
        user_id,
        count(*) filter (where arrived_late) as late_events
    from changes
    group by source, user_id
),

ranges as (
    select
        affected_users.source,
        affected_users.user_id,
        anchors.from_event_time,
        anchors.from_event_sort_rank,
        anchors.from_event_id,
        coalesce(anchors.session_number - 1, 0) as session_number_offset,
        affected_users.late_events,
        {{ load_timestamp() }} as _computed_at
    from affected_users
    left join anchors
        on
            affected_users.source = anchors.source
            and affected_users.user_id = anchors.user_id
)

select * from ranges
