{#-
    One row per source and pair of actions (action_a < action_b, byte order) used in the same
    session: how many sessions used both, and the pair's support, confidence and lift. Pairs
    whose support is below the var feature_pairs_min_support are left out. An action is
    action_name(): an app `action` event's action, a Segment `track` event's name.
    A table rebuilt from the sessionized events each run, not incremental: support divides by the
    source's sessions with an action, which every new session changes, so every row can change
    in any run. The cost stays low because only a source's frequent actions are paired: an
    action in fewer sessions than the minimum support cannot be in a pair that reaches it, so
    it is dropped before the self-join (docs/benchmarks.md gives the cost at 10M events).
    Ratios are compared and rounded on exact integers: a pair is kept when
    sessions_with_both >= feature_pairs_min_support * sessions_with_actions.
-#}
{%- set min_support = 'cast(' ~ var('feature_pairs_min_support') ~ ' as decimal(18, 10))' %}

with

-- The sessionized events, not the session_events view: its join to user_sessions (for the gap
-- before each session) is not needed here.
events as (
    select * from {{ ref('int_events_sessionized') }}
),

action_events as (
    select
        source,
        session_id,
        {{ action_name('source', 'event_category', 'event_name', 'properties') }} as action_name
    from events
    where source in ('app', 'segment') and event_category = 'action'
),

session_actions as (
    -- Each action once per session.
    select distinct
        source,
        session_id,
        action_name
    from action_events
    where action_name is not null
),

source_sessions as (
    select
        source,
        count(distinct session_id) as sessions_with_actions
    from session_actions
    group by source
),

action_sessions as (
    select
        source,
        action_name,
        count(*) as sessions_with_action
    from session_actions
    group by source, action_name
),

frequent_actions as (
    select action_sessions.*
    from action_sessions
    inner join source_sessions
        on action_sessions.source = source_sessions.source
    where action_sessions.sessions_with_action >= {{ min_support }} * source_sessions.sessions_with_actions
),

frequent_session_actions as (
    select session_actions.*
    from session_actions
    {{ semi_join() }} frequent_actions
        on
            session_actions.source = frequent_actions.source
            and session_actions.action_name = frequent_actions.action_name
),

pairs as (
    select
        first_action.source,
        first_action.action_name as action_a,
        second_action.action_name as action_b,
        count(*) as sessions_with_both
    from frequent_session_actions as first_action
    inner join frequent_session_actions as second_action
        on
            first_action.source = second_action.source
            and first_action.session_id = second_action.session_id
            and first_action.action_name < second_action.action_name
    group by first_action.source, first_action.action_name, second_action.action_name
),

supported_pairs as (
    select
        pairs.source,
        pairs.action_a,
        pairs.action_b,
        sessions_a.sessions_with_action as sessions_with_a,
        sessions_b.sessions_with_action as sessions_with_b,
        pairs.sessions_with_both,
        source_sessions.sessions_with_actions
    from pairs
    inner join source_sessions
        on pairs.source = source_sessions.source
    inner join frequent_actions as sessions_a
        on
            pairs.source = sessions_a.source
            and pairs.action_a = sessions_a.action_name
    inner join frequent_actions as sessions_b
        on
            pairs.source = sessions_b.source
            and pairs.action_b = sessions_b.action_name
    where pairs.sessions_with_both >= {{ min_support }} * source_sessions.sessions_with_actions
),

final as (
    -- Fractions to four decimals: percent to two (ratio_half_up), times 0.01.
    select
        source,
        action_a,
        action_b,
        sessions_with_a,
        sessions_with_b,
        sessions_with_both,
        sessions_with_actions,
        cast(
            {{ ratio_half_up('sessions_with_both', 'sessions_with_actions', 100) }} * 0.01
            as decimal(5, 4)
        ) as support,  -- noqa: RF04
        cast(
            {{ ratio_half_up('sessions_with_both', 'sessions_with_a', 100) }} * 0.01
            as decimal(5, 4)
        ) as confidence_a_to_b,
        cast(
            {{ ratio_half_up('sessions_with_both', 'sessions_with_b', 100) }} * 0.01
            as decimal(5, 4)
        ) as confidence_b_to_a,
        -- confidence(a -> b) / support(b) = both * sessions / (a * b), on integers.
        {{ ratio_half_up(
            'sessions_with_both * sessions_with_actions', 'sessions_with_a * sessions_with_b'
        ) }} as lift
    from supported_pairs
)

select * from final
