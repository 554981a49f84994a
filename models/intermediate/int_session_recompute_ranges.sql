{#-
    Which parts of which user's history each run must sessionize again (grain: one row per run,
    source, user, client session and range; a user's history here is that of one
    client_session_key, as the sessionization cuts it), from this run's changes (int_events_changed) located among the
    users' sessions as they stood (int_prior_sessions_summarized). A range covers whole
    sessions, those numbered after session_number_offset up to session_number_limit (null:
    every later session), and the changed events from from_event_time on (the first event of
    its first session, or the change itself when that opens a new session; null: the user's
    whole history).
    - A whole-history change (a full refresh) is one range of every session.
    - A new plain event (not an explicit session start or end) between the first and the last
      event of an old session changes only that session: a bounded range of that one session.
    - Any other change (an event outside every old session, an explicit start or end, an event
      moved by stitching) may split, merge or renumber sessions from where it falls on: one
      open range from the session containing (or preceding) the earliest such change, or from
      the change itself when it comes later than the user's last event by more than the gap
      (it opens a new session). Bounded ranges inside the open range are part of it.
    Appended by every run (stamped _computed_at): int_event_sessions applies the latest
    run's ranges, and each session mart rebuilds the sessions of the ranges newer than its
    watermark.
-#}
{{ config(materialized='incremental', incremental_strategy='append') }}

with

changes as (
    select * from {{ ref('int_events_changed') }}
),

prior_sessions as (
    select * from {{ ref('int_prior_sessions_summarized') }}
),

whole_histories as (
    select
        source,
        user_id,
        client_session_key,
        cast(null as {{ type_timestamptz() }}) as from_event_time,
        cast(0 as bigint) as session_number_offset,
        cast(null as bigint) as session_number_limit,
        cast(0 as bigint) as late_events
    from changes
    where change_kind = 'whole_history'
),

changed_events as (
    select
        source,
        user_id,
        client_session_key,
        event_time,
        event_sort_rank,
        event_id,
        event_type,
        change_kind = 'new' as is_new
    from changes
    where change_kind in ('new', 'moved_to', 'moved_from')
),

changes_located as (
    -- A new plain event (not an explicit session start or end) later than the first event of an
    -- old session and earlier than its last changes only that session: every gap of it only
    -- shrinks and its first event stays, so neither its bounds nor any other session move.
    -- Every other change may split, merge or renumber sessions from where it falls on. Times
    -- compare strictly: a tie with a session's first or last event counts as the other kind,
    -- which recomputes more, never less.
    select
        changed_events.*,
        containing.session_number as containing_session_number,
        containing.first_event_time as containing_first_event_time
    from changed_events
    left join prior_sessions as containing
        on
            changed_events.source = containing.source
            and changed_events.user_id = containing.user_id
            and changed_events.client_session_key = containing.client_session_key
            and changed_events.is_new
            and not coalesce({{ explicit_session_boundary('start', 'changed_events.') }}, false)
            and not coalesce({{ explicit_session_boundary('end', 'changed_events.') }}, false)
            and changed_events.event_time > containing.first_event_time
            and changed_events.event_time < containing.last_event_time
),

structural_changes as (
    -- Per user: the time of the earliest change that is not inside one old session.
    select
        source,
        user_id,
        client_session_key,
        min(event_time) as earliest_event_time
    from changes_located
    where containing_session_number is null
    group by source, user_id, client_session_key
),

prior_summaries as (
    -- Per affected user: the last event already sessionized (new events before it arrived late)
    -- and the last session starting before the earliest structural change: the session
    -- containing (or preceding) it.
    select
        prior_sessions.source,
        prior_sessions.user_id,
        prior_sessions.client_session_key,
        max(prior_sessions.last_event_time) as last_event_time,
        max(prior_sessions.session_number) as last_session_number,
        max(prior_sessions.session_number) filter (
            where prior_sessions.first_event_time < structural_changes.earliest_event_time
        ) as anchor_session_number,
        max(prior_sessions.first_event_time) filter (
            where prior_sessions.first_event_time < structural_changes.earliest_event_time
        ) as anchor_event_time
    from prior_sessions
    left join structural_changes
        on
            prior_sessions.source = structural_changes.source
            and prior_sessions.user_id = structural_changes.user_id
            and prior_sessions.client_session_key = structural_changes.client_session_key
    group by prior_sessions.source, prior_sessions.user_id, prior_sessions.client_session_key
),

open_ranges as (
    -- Per user with a structural change, the range of every session from its first one on: the
    -- anchor session; after the user's last session when the change comes later than the
    -- user's last event by more than the gap (it opens a new session, so no earlier session can
    -- change: the range starts at the change itself); the whole history (from_event_time null)
    -- when no session starts before the change.
    select
        structural_changes.source,
        structural_changes.user_id,
        structural_changes.client_session_key,
        structural_changes.earliest_event_time,
        {{ gap_exceeded(
            'prior_summaries.last_event_time',
            'structural_changes.earliest_event_time',
            source_inactivity_seconds('structural_changes.source'),
        ) }} as opens_new_session,
        prior_summaries.last_session_number,
        prior_summaries.anchor_session_number,
        prior_summaries.anchor_event_time
    from structural_changes
    left join prior_summaries
        on
            structural_changes.source = prior_summaries.source
            and structural_changes.user_id = prior_summaries.user_id
            and structural_changes.client_session_key = prior_summaries.client_session_key
),

open_ranges_started as (
    select
        source,
        user_id,
        client_session_key,
        case
            when opens_new_session then last_session_number + 1
            else coalesce(anchor_session_number, 1)
        end as first_session_number,
        case when opens_new_session then earliest_event_time else anchor_event_time end as from_event_time
    from open_ranges
),

changes_assigned as (
    -- A change inside an old session before the user's open range (or with no open range) is
    -- in that session's bounded range; every other change is in the open range.
    select
        changes_located.*,
        open_ranges_started.first_session_number as open_first_session_number,
        open_ranges_started.from_event_time as open_from_event_time,
        coalesce(
            changes_located.containing_session_number < open_ranges_started.first_session_number,
            changes_located.containing_session_number is not null
        ) as is_bounded,
        coalesce(changes_located.is_new and changes_located.event_time < prior_summaries.last_event_time, false)
            as arrived_late
    from changes_located
    left join open_ranges_started
        on
            changes_located.source = open_ranges_started.source
            and changes_located.user_id = open_ranges_started.user_id
            and changes_located.client_session_key = open_ranges_started.client_session_key
    left join prior_summaries
        on
            changes_located.source = prior_summaries.source
            and changes_located.user_id = prior_summaries.user_id
            and changes_located.client_session_key = prior_summaries.client_session_key
),

changes_in_ranges as (
    select
        source,
        user_id,
        client_session_key,
        is_bounded,
        arrived_late,
        case when is_bounded then containing_session_number else open_first_session_number end
            as first_session_number,
        case when is_bounded then containing_first_event_time else open_from_event_time end
            as from_event_time
    from changes_assigned
),

changed_ranges as (
    select
        source,
        user_id,
        client_session_key,
        min(from_event_time) as from_event_time, -- one value per range
        first_session_number - 1 as session_number_offset,
        case when bool_or(is_bounded) then first_session_number end as session_number_limit,
        count(*) filter (where arrived_late) as late_events
    from changes_in_ranges
    group by source, user_id, client_session_key, first_session_number
),

ranges as (
    select
        *,
        {{ run_stamp() }} as _computed_at
    from (
        select * from whole_histories
        union all
        select * from changed_ranges
    ) as all_ranges
)

select * from ranges
