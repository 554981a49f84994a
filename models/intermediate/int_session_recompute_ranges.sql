{#-
    Which parts of which user's history each run must sessionize again (grain: one row per run,
    source, user and range). A user is affected by newly loaded events and by identity stitching
    moving events to or from them. A range covers whole sessions: from the first event of its
    first session (from_* columns; null: the user's whole history), numbered after
    session_number_offset, up to session_number_limit (null: every later session).
    - A new plain event (not an explicit session start or end) strictly inside an old session
      changes only that session: a bounded range of that one session.
    - Any other change (an event outside every old session, an explicit start or end, an event
      moved by stitching) may split, merge or renumber sessions from where it falls on: one
      open range from the session containing (or preceding) the earliest such change, or from
      the change itself when it comes later than the user's last event by more than the gap
      (it opens a new session). Bounded ranges inside the open range are part of it.
    Appended by every run; int_events_sessionized applies the ranges of the current run, and the
    incremental marts rebuild the sessions of the ranges newer than their watermark. Changes are
    taken since int_events_sessionized last ran, so when a run stopped before applying its
    ranges, the next run's ranges of a user cover those changes too.

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
ranges_bounds as (
    -- Every user's whole history.
    select
        events.source,
        events.user_id,
        cast(null as timestamp with time zone) as from_event_time,
        cast(null as integer) as from_event_sort_rank,
        cast(null as varchar) as from_event_id,
        cast(0 as bigint) as session_number_offset,
        cast(null as bigint) as session_number_limit,
        cast(0 as bigint) as late_events
    from ({{ stitched_events() }}) as events
    group by events.source, events.user_id
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

affected_users as (
    select distinct
        source,
        user_id
    from changed_events
),

prior_sessions as (
    -- The affected users' sessions as they stand, with their first and last events: the one
    -- scan of the history in this model. Aggregates, not windows over the users' histories.
    {%- set in_session_order = ['prior_events.event_number_in_session'] %}
    select
        prior_events.source,
        prior_events.user_id,
        prior_events.session_number,
        {{ first_by('prior_events.event_time', in_session_order) }} as first_event_time,
        {{ first_by('prior_events.event_sort_rank', in_session_order) }} as first_event_sort_rank,
        {{ first_by('prior_events.event_id', in_session_order) }} as first_event_id,
        {{ last_by('prior_events.event_time', in_session_order) }} as last_event_time,
        {{ last_by('prior_events.event_sort_rank', in_session_order) }} as last_event_sort_rank,
        {{ last_by('prior_events.event_id', in_session_order) }} as last_event_id
    from prior_events
    inner join affected_users
        on
            prior_events.source = affected_users.source
            and prior_events.user_id = affected_users.user_id
    group by prior_events.source, prior_events.user_id, prior_events.session_number
),

changes_located as (
    -- A new plain event (not an explicit session start or end) strictly between the first and
    -- the last event of an old session changes only that session: every gap of it only
    -- shrinks and its first event stays, so neither its bounds nor any other session move.
    -- Every other change may split, merge or renumber sessions from where it falls on.
    select
        changed_events.*,
        containing.session_number as containing_session_number
    from changed_events
    left join prior_sessions as containing
        on
            changed_events.source = containing.source
            and changed_events.user_id = containing.user_id
            and changed_events.is_new
            and not coalesce({{ explicit_session_boundary('start', 'changed_events.') }}, false)
            and not coalesce({{ explicit_session_boundary('end', 'changed_events.') }}, false)
            and (changed_events.event_time, changed_events.event_sort_rank, changed_events.event_id)
            > (containing.first_event_time, containing.first_event_sort_rank, containing.first_event_id)
            and (changed_events.event_time, changed_events.event_sort_rank, changed_events.event_id)
            < (containing.last_event_time, containing.last_event_sort_rank, containing.last_event_id)
),

structural_changes as (
    -- Per user: the earliest change that is not inside one old session.
    select
        source,
        user_id,
        {{ first_by('event_time', event_order) }} as earliest_event_time,
        {{ first_by('event_sort_rank', event_order) }} as earliest_event_sort_rank,
        {{ first_by('event_id', event_order) }} as earliest_event_id
    from changes_located
    where containing_session_number is null
    group by source, user_id
),

prior_summaries as (
    -- Per affected user: the last event already sessionized (new events before it arrived late)
    -- and the last session starting before the earliest structural change: the session
    -- containing (or preceding) it.
    {%- set starts_before_change -%}
        (prior_sessions.first_event_time, prior_sessions.first_event_sort_rank, prior_sessions.first_event_id)
        < (
            structural_changes.earliest_event_time,
            structural_changes.earliest_event_sort_rank,
            structural_changes.earliest_event_id
        )
    {%- endset %}
    select
        prior_sessions.source,
        prior_sessions.user_id,
        max(prior_sessions.last_event_time) as last_event_time,
        max(prior_sessions.session_number) as last_session_number,
        max(prior_sessions.session_number) filter (where {{ starts_before_change }}) as anchor_session_number,
        {{ last_by('prior_sessions.first_event_time', ['prior_sessions.session_number']) }}
            filter (where {{ starts_before_change }}) as anchor_event_time,
        {{ last_by('prior_sessions.first_event_sort_rank', ['prior_sessions.session_number']) }}
            filter (where {{ starts_before_change }}) as anchor_event_sort_rank,
        {{ last_by('prior_sessions.first_event_id', ['prior_sessions.session_number']) }}
            filter (where {{ starts_before_change }}) as anchor_event_id
    from prior_sessions
    left join structural_changes
        on
            prior_sessions.source = structural_changes.source
            and prior_sessions.user_id = structural_changes.user_id
    group by prior_sessions.source, prior_sessions.user_id
),

open_ranges as (
    -- Per user with a structural change, the range of every session from its first one on:
    -- the anchor session; after the user's last session when the change comes later than the
    -- user's last event by more than the gap (it opens a new session, so no earlier session
    -- can change: the range starts at the change itself); the whole history (from_* null)
    -- when no session starts before the change.
    select
        structural_changes.source,
        structural_changes.user_id,
        structural_changes.earliest_event_time > {{ dbt.dateadd(
            'second', source_inactivity_seconds('structural_changes.source'), 'prior_summaries.last_event_time'
        ) }} as opens_new_session,
        prior_summaries.anchor_session_number,
        prior_summaries.last_session_number,
        structural_changes.earliest_event_time,
        structural_changes.earliest_event_sort_rank,
        structural_changes.earliest_event_id,
        prior_summaries.anchor_event_time,
        prior_summaries.anchor_event_sort_rank,
        prior_summaries.anchor_event_id
    from structural_changes
    left join prior_summaries
        on
            structural_changes.source = prior_summaries.source
            and structural_changes.user_id = prior_summaries.user_id
),

open_ranges_started as (
    select
        source,
        user_id,
        case
            when opens_new_session then last_session_number + 1
            else coalesce(anchor_session_number, 1)
        end as first_session_number,
        case when opens_new_session then earliest_event_time else anchor_event_time end as from_event_time,
        case when opens_new_session then earliest_event_sort_rank else anchor_event_sort_rank end
            as from_event_sort_rank,
        case when opens_new_session then earliest_event_id else anchor_event_id end as from_event_id
    from open_ranges
),

changes_in_ranges as (
    -- Each change in its range: the one session containing it when that session comes before
    -- the user's open range (a bounded range), else the open range.
    select
        changes_located.source,
        changes_located.user_id,
        changes_located.containing_session_number is not null
        and (
            open_ranges_started.first_session_number is null
            or changes_located.containing_session_number < open_ranges_started.first_session_number
        ) as is_bounded,
        case
            when
                changes_located.containing_session_number is not null
                and (
                    open_ranges_started.first_session_number is null
                    or changes_located.containing_session_number < open_ranges_started.first_session_number
                )
                then changes_located.containing_session_number
            else open_ranges_started.first_session_number
        end as first_session_number,
        coalesce(changes_located.is_new and changes_located.event_time < prior_summaries.last_event_time, false)
            as arrived_late
    from changes_located
    left join open_ranges_started
        on
            changes_located.source = open_ranges_started.source
            and changes_located.user_id = open_ranges_started.user_id
    left join prior_summaries
        on
            changes_located.source = prior_summaries.source
            and changes_located.user_id = prior_summaries.user_id
),

changed_ranges as (
    select
        source,
        user_id,
        first_session_number,
        bool_or(is_bounded) as is_bounded,
        count(*) filter (where arrived_late) as late_events
    from changes_in_ranges
    group by source, user_id, first_session_number
),

ranges_bounds as (
    select
        changed_ranges.source,
        changed_ranges.user_id,
        case when changed_ranges.is_bounded then bounded.first_event_time else open_ranges_started.from_event_time end
            as from_event_time,
        case
            when changed_ranges.is_bounded then bounded.first_event_sort_rank
            else open_ranges_started.from_event_sort_rank
        end as from_event_sort_rank,
        case when changed_ranges.is_bounded then bounded.first_event_id else open_ranges_started.from_event_id end
            as from_event_id,
        changed_ranges.first_session_number - 1 as session_number_offset,
        case when changed_ranges.is_bounded then changed_ranges.first_session_number end as session_number_limit,
        changed_ranges.late_events
    from changed_ranges
    left join prior_sessions as bounded
        on
            changed_ranges.is_bounded
            and changed_ranges.source = bounded.source
            and changed_ranges.user_id = bounded.user_id
            and changed_ranges.first_session_number = bounded.session_number
    left join open_ranges_started
        on
            not changed_ranges.is_bounded
            and changed_ranges.source = open_ranges_started.source
            and changed_ranges.user_id = open_ranges_started.user_id
),

{% endif %}

ranges as (
    select
        *,
        {{ load_timestamp() }} as _computed_at
    from ranges_bounds
)

select * from ranges
