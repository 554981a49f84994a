{#-
    One row per user and source: the tracking spec's pattern over the user's latest sessions
    (var `pattern_session_window`, default 20): the Python method's label (`pattern`) and the
    spec's SessionPattern type (`session_pattern`, `pattern_indicators`, `pattern_confidence`).
    Each type has three indicators (vars session_pattern_*, docs/marts.md); the type is the one
    with the most indicators fired (ties: confused, power_user, explorer, task_focused; none
    fired: task_focused), its confidence the share of its three indicators that fired.
    Incremental (session_ranges): the users of the sessions this run rebuilds
    (int_sessions_this_run) are deleted and inserted again.
-#}
{{ config(materialized='incremental', incremental_strategy='session_ranges', rebuilds='users') }}

with

sessions_this_run as (
    select * from {{ ref('int_sessions_this_run') }}
),

all_sessions as (
    select * from {{ ref('user_sessions') }}
),

users_this_run as (
    select distinct
        source,
        user_id
    from sessions_this_run
),

sessions as (
    -- Every session of the users this run rebuilds (every user when built whole).
    select all_sessions.* from all_sessions
    {{ semi_join() }} users_this_run
        on
            all_sessions.source = users_this_run.source
            and all_sessions.user_id = users_this_run.user_id
),

recent_sessions as (
    -- The latest N sessions of a user: by start time (a user's concurrent client sessions may
    -- overlap, so session_number alone does not order them), ties by client session and number.
    select
        *,
        row_number() over (
            partition by source, user_id
            order by start_time desc, coalesce(client_session_id, '') desc, session_number desc
        ) as recency_rank
    from sessions
),

per_user as (
    select
        source,
        user_id,
        count(*) as sessions_considered,
        sum(coalesce(duration_seconds, 0)) as total_duration,
        sum(action_count) as total_actions,
        max(coalesce(error_count, 0)) filter (where recency_rank = 1) as latest_session_error_count,
        -- Null for sources without errors or workflows (error_count, workflow_count null).
        sum(error_count) as total_errors,
        sum(workflow_count) as workflows_started,
        sum(completed_workflow_count) as workflows_completed,
        sum(distinct_page_count) as total_distinct_pages,
        sum(repeated_page_view_count) as repeated_page_views,
        sum(distinct_page_count + repeated_page_view_count) as page_views
    from recent_sessions
    where recency_rank <= {{ var('pattern_session_window') }}
    group by source, user_id
),

classified as (
    select
        *,
        {{ ratio_half_up('total_duration', 'sessions_considered') }} as avg_duration_seconds,
        {{ ratio_half_up('total_actions', 'sessions_considered') }} as avg_action_count,
        case
            when
                total_duration > {{ var('power_user_min_avg_duration_seconds') }} * sessions_considered
                and total_actions > {{ var('power_user_min_avg_actions') }} * sessions_considered
                then 'power_user'
            when total_duration < {{ var('quick_checker_max_avg_duration_seconds') }} * sessions_considered
                then 'quick_checker'
            when latest_session_error_count > {{ var('struggling_user_min_errors') }}
                then 'struggling_user'
            else 'regular_user'
        end as pattern,
        -- The values the indicators show (two decimals, half up).
        {{ ratio_half_up('total_distinct_pages', 'sessions_considered') }} as avg_distinct_pages,
        {{ ratio_half_up('total_errors', 'sessions_considered') }} as avg_errors,
        {{ ratio_half_up('repeated_page_views', 'page_views') }} as repeat_share,
        {{ ratio_half_up('workflows_completed', 'workflows_started') }} as completion_share
    from per_user
),

{%- set shown = {
    'actions': "'avg ' || cast(avg_action_count as " ~ dbt.type_string() ~ ") || ' actions/session",
    'duration': "'avg ' || cast(avg_duration_seconds as " ~ dbt.type_string() ~ ") || ' s/session",
    'sessions': "cast(sessions_considered as " ~ dbt.type_string() ~ ") || ' sessions",
    'pages': "'avg ' || cast(avg_distinct_pages as " ~ dbt.type_string() ~ ") || ' distinct pages/session",
    'repeats': "cast(repeat_share as " ~ dbt.type_string() ~ ") || ' of page views repeat a page",
    'completed': "cast(completion_share as " ~ dbt.type_string() ~ ") || ' of started workflows completed",
    'errors': "'avg ' || cast(avg_errors as " ~ dbt.type_string() ~ ") || ' errors/session",
} %}
{#- Each type and its indicators, in order. An indicator compares a total of the window with its
    var times a base (a threshold per session, per page view, ...; none: the var itself), after
    a guard (none: always), and shows `shown[value]` with the same comparison and var. -#}
{%- set indicator_types = [
    ('power_user', [
        ('total_actions', '>', 'session_pattern_power_min_avg_actions', 'sessions_considered', 'actions', none),
        ('total_duration', '>', 'session_pattern_power_min_avg_duration_seconds', 'sessions_considered', 'duration', none),
        ('sessions_considered', '>=', 'session_pattern_power_min_sessions', none, 'sessions', none),
    ]),
    ('explorer', [
        ('total_distinct_pages', '>=', 'session_pattern_explorer_min_avg_distinct_pages', 'sessions_considered', 'pages', none),
        ('repeated_page_views', '<=', 'session_pattern_explorer_max_repeat_share', 'page_views', 'repeats', 'page_views > 0'),
        ('total_duration', '>=', 'session_pattern_explorer_min_avg_duration_seconds', 'sessions_considered', 'duration', none),
    ]),
    ('task_focused', [
        ('workflows_completed', '>=', 'session_pattern_task_min_completion_share', 'workflows_started', 'completed', 'workflows_started > 0'),
        ('total_distinct_pages', '<=', 'session_pattern_task_max_avg_distinct_pages', 'sessions_considered', 'pages', 'page_views > 0'),
        ('total_duration', '<=', 'session_pattern_task_max_avg_duration_seconds', 'sessions_considered', 'duration', none),
    ]),
    ('confused', [
        ('total_errors', '>=', 'session_pattern_confused_min_avg_errors', 'sessions_considered', 'errors', none),
        ('repeated_page_views', '>=', 'session_pattern_confused_min_repeat_share', 'page_views', 'repeats', 'page_views > 0'),
        ('workflows_completed', '<', 'session_pattern_confused_max_completion_share', 'workflows_started', 'completed', 'workflows_started > 0'),
    ]),
] %}

indicators as (
    -- Which indicator fired (a null comparison, e.g. errors of a source without them, did not).
    select
        *
        {%- for type_name, type_indicators in indicator_types %}
        {%- for total, comparison, threshold, base, value, guard in type_indicators %}
        {%- set condition = (guard ~ ' and ' if guard else '') ~ total ~ ' ' ~ comparison ~ ' '
            ~ var(threshold) ~ (' * ' ~ base if base else '') %},
        coalesce({{ condition }}, false) as {{ type_name }}_{{ loop.index }}
        {%- endfor %}
        {%- endfor %}
    from classified
),

scored as (
    -- How many of each type's indicators fired.
    select
        *
        {%- for type_name, type_indicators in indicator_types %}
        {%- set fired = [] %}
        {%- for _ in type_indicators %}
        {%- do fired.append('cast(' ~ type_name ~ '_' ~ loop.index ~ ' as int)') %}
        {%- endfor %},
        {{ fired | join(' + ') }} as {{ type_name }}_fired
        {%- endfor %}
    from indicators
),

typed as (
    select
        *,
        case
            when confused_fired > 0 and confused_fired >= greatest(power_user_fired, explorer_fired, task_focused_fired)
                then 'confused'
            when power_user_fired > 0 and power_user_fired >= greatest(explorer_fired, task_focused_fired)
                then 'power_user'
            when explorer_fired > 0 and explorer_fired >= task_focused_fired
                then 'explorer'
            else 'task_focused'
        end as session_pattern
    from scored
),

{#- The chosen type's indicators that fired, as text (null otherwise: left out). -#}
{%- set fired_texts = [] %}
{%- for type_name, type_indicators in indicator_types %}
{%- for total, comparison, threshold, base, value, guard in type_indicators %}
{%- set text = shown[value] ~ ' ' ~ comparison ~ ' ' ~ var(threshold) ~ "'" %}
{%- do fired_texts.append(
    "case when session_pattern = '" ~ type_name ~ "' and " ~ type_name ~ '_' ~ loop.index ~ ' then ' ~ text ~ ' end'
) %}
{%- endfor %}
{%- endfor %}

final as (
    select
        source,
        user_id,
        sessions_considered,
        avg_duration_seconds,
        avg_action_count,
        latest_session_error_count,
        pattern,
        session_pattern,
        {{ sessions.list_of_non_null(fired_texts) }} as pattern_indicators,
        case session_pattern
            {%- for type_name, type_indicators in indicator_types %}
            when '{{ type_name }}' then {{ ratio_half_up(type_name ~ '_fired', type_indicators | length) }}
            {%- endfor %}
        end as pattern_confidence
    from typed
)

select * from final
