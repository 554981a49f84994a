{#-
    Which part of which user's history each run must sessionize again (grain: one row per run,
    source and user affected by it). A user is affected by newly loaded events and by identity
    stitching moving events to or from them. Sessions before the one containing (or preceding)
    the user's earliest change cannot change, so a range starts at the first event of that
    session (from_* columns; null: the user's whole history) and session numbers continue after
    session_number_offset. A change later than the user's last event by more than the gap opens
    a new session: then the range starts at the change itself, after the user's last session.
    New plain events (not an explicit session start or end) that all fall strictly inside one
    session change only that session: the range is bounded to it (session_number_limit; null:
    every later session too). Appended by every run; int_events_sessionized applies the ranges of
    the current run, and the incremental marts rebuild the sessions of the ranges newer than
    their watermark. Changes are taken since int_events_sessionized last ran, so when a run
    stopped before applying its ranges, the next run's range of a user covers those changes too.

    It reads the sessionized events as they stand before this run (without ref: they are this
    run's input state, built downstream); on a full refresh every user's whole history is a range.
-#}
{{ config(materialized='incremental', incremental_strategy='append') }}
{%- set prior = none -%}
{%- if execute and is_incremental() and not flags.FULL_REFRESH -%}
    {%- set prior = adapter.get_relation(this.database, this.schema, 'int_events_sessionized') -%}
{%- endif %}

with

{% if prior is none %}
changes as (
    select
        events.source,
        events.user_id,
        events.event_time,
        events.event_sort_rank,
        events.event_id,
        false as arrived_late
    from ({{ stitched_events() }}) as events
),

anchors as (
    select
        cast(null as varchar) as source,
        cast(null as varchar) as user_id,
        cast(null as bigint) as session_number,
        cast(null as timestamp with time zone) as from_event_time,
        cast(null as integer) as from_event_sort_rank,
        cast(null as varchar) as from_event_id,
        cast(null as bigint) as session_number_limit
    where false
),

{% else %}
{%- set loaded_through = sessions.latest_timestamp(prior, '_loaded_at') %}
pending_events as (
    -- Loaded since the prior events were sessionized: only the newest row groups are read.
    {{ stitched_events(where='events._loaded_at > ' ~ loaded_through) }}
),

restitched_anonymous_ids as (
    select anonymous_id from {{ ref('int_anonymous_ids_stitched') }}
    where _loaded_at > {{ loaded_through }}
),

restitched_events as (
    {{ stitched_events(
        where='events.anonymous_id in (select restitched_anonymous_ids.anonymous_id from restitched_anonymous_ids)'
    ) }}
),

prior_events as (
    select * from {{ prior }}
),

changed_events as (
    -- New events, with their owner after stitching...
    select
        source,
        user_id,
        event_time,
        event_sort_rank,
        event_id,
        event_type,
        true as is_new
    from pending_events
    union all
    -- ... events of an anonymousId whose stitched user changed: their former owner...
    select
        source,
        user_id,
        event_time,
        event_sort_rank,
        event_id,
        event_type,
        false as is_new
    from {{ prior }}
    where anonymous_id in (select restitched_anonymous_ids.anonymous_id from restitched_anonymous_ids)
    union all
    -- ... and their new owner.
    select
        source,
        user_id,
        event_time,
        event_sort_rank,
        event_id,
        event_type,
        false as is_new
    from restitched_events
),

{%- set event_order = ['event_time', 'event_sort_rank', 'event_id'] %}

change_summaries as (
    -- Per affected user: the earliest and the latest change, and whether every change is a new
    -- event that cannot split a session by itself (not an explicit session start or end).
    select
        source,
        user_id,
        {{ first_by('event_time', event_order) }} as earliest_event_time,
        {{ first_by('event_sort_rank', event_order) }} as earliest_event_sort_rank,
        {{ first_by('event_id', event_order) }} as earliest_event_id,
        {{ last_by('event_time', event_order) }} as latest_event_time,
        {{ last_by('event_sort_rank', event_order) }} as latest_event_sort_rank,
        {{ last_by('event_id', event_order) }} as latest_event_id,
        bool_and(
            is_new
            and not coalesce({{ explicit_session_boundary('start') }}, false)
            and not coalesce({{ explicit_session_boundary('end') }}, false)
        ) as has_only_plain_new_events
    from changed_events
    group by source, user_id
),

affected_prior_events as (
    -- The affected users' sessionized events: the one scan of the history in this model.
    select
        prior_events.source,
        prior_events.user_id,
        prior_events.session_number,
        prior_events.event_time,
        prior_events.event_sort_rank,
        prior_events.event_id,
        prior_events.event_id = prior_events.session_first_event_id
        and (prior_events.event_time, prior_events.event_sort_rank, prior_events.event_id)
        < (
            change_summaries.earliest_event_time,
            change_summaries.earliest_event_sort_rank,
            change_summaries.earliest_event_id
        ) as is_session_start_before_change,
        (prior_events.event_time, prior_events.event_sort_rank, prior_events.event_id)
        > (
            change_summaries.latest_event_time,
            change_summaries.latest_event_sort_rank,
            change_summaries.latest_event_id
        ) as is_after_latest_change
    from prior_events
    inner join change_summaries
        on
            prior_events.source = change_summaries.source
            and prior_events.user_id = change_summaries.user_id
),

prior_summaries as (
    -- Per affected user: the last event already sessionized (new events before it arrived late);
    -- the last session starting before the earliest change, which is the session containing
    -- (or preceding) that change; and the session of the first event after the latest change.
    -- Aggregates, not windows over the users' whole history.
    select
        source,
        user_id,
        max(event_time) as last_event_time,
        max(session_number) as last_session_number,
        max(session_number) filter (where is_session_start_before_change) as anchor_session_number,
        {{ last_by('event_time', ['session_number']) }} filter (where is_session_start_before_change)
            as anchor_event_time,
        {{ last_by('event_sort_rank', ['session_number']) }} filter (where is_session_start_before_change)
            as anchor_event_sort_rank,
        {{ last_by('event_id', ['session_number']) }} filter (where is_session_start_before_change)
            as anchor_event_id,
        min(session_number) filter (where is_after_latest_change) as session_after_latest_change
    from affected_prior_events
    group by source, user_id
),

changes as (
    select
        changed_events.source,
        changed_events.user_id,
        changed_events.event_time,
        changed_events.event_sort_rank,
        changed_events.event_id,
        coalesce(changed_events.is_new and changed_events.event_time < prior_summaries.last_event_time, false)
            as arrived_late
    from changed_events
    left join prior_summaries
        on
            changed_events.source = prior_summaries.source
            and changed_events.user_id = prior_summaries.user_id
),

anchors_classified as (
    select
        prior_summaries.*,
        change_summaries.earliest_event_time,
        change_summaries.earliest_event_sort_rank,
        change_summaries.earliest_event_id,
        -- Later than the user's last event by more than the gap: a new session, so no earlier
        -- session can change.
        change_summaries.earliest_event_time > {{ dbt.dateadd(
            'second', source_inactivity_seconds('prior_summaries.source'), 'prior_summaries.last_event_time'
        ) }} as opens_new_session,
        -- New plain events all strictly inside the anchor session (an event of it comes after
        -- the latest one): every gap of that session only shrinks, its first event stays, and the
        -- sessions after it are untouched.
        change_summaries.has_only_plain_new_events
        and prior_summaries.session_after_latest_change = prior_summaries.anchor_session_number
            as stays_inside_anchor_session
    from prior_summaries
    inner join change_summaries
        on
            prior_summaries.source = change_summaries.source
            and prior_summaries.user_id = change_summaries.user_id
),

anchors as (
    -- Everything from the first event of the anchor session on is sessionized again, or only the
    -- anchor session when the changes stay inside it; when the earliest change opens a new
    -- session, everything from the change on, after the user's last session.
    select
        source,
        user_id,
        case when opens_new_session then last_session_number + 1 else anchor_session_number end
            as session_number,
        case when opens_new_session then earliest_event_time else anchor_event_time end
            as from_event_time,
        case when opens_new_session then earliest_event_sort_rank else anchor_event_sort_rank end
            as from_event_sort_rank,
        case when opens_new_session then earliest_event_id else anchor_event_id end as from_event_id,
        case when stays_inside_anchor_session then anchor_session_number end as session_number_limit
    from anchors_classified
    where anchor_session_number is not null
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
        anchors.session_number_limit,
        affected_users.late_events,
        {{ load_timestamp() }} as _computed_at
    from affected_users
    left join anchors
        on
            affected_users.source = anchors.source
            and affected_users.user_id = anchors.user_id
)

select * from ranges
