{#-
    One row per day (UTC date of the session start) and source: volumes, durations, bounce and
    error rates in percent, and the most common entry and exit pages.
    Incremental (session_ranges): the days of the sessions this run rebuilds (as they were and
    as they are now, see rebuilt_days) are deleted and recomputed from user_sessions; the other
    days cannot change.
-#}
{{ config(materialized='incremental', incremental_strategy='session_ranges', rebuilds='days') }}

with

sessions_this_run as (
    select * from {{ ref('int_sessions_this_run') }}
),

event_sessions as (
    select * from {{ ref('int_event_sessions') }}
),

user_sessions as (
    select * from {{ ref('user_sessions') }}
),

all_sessions as (
    select
        *,
        {{ utc_date('start_time') }} as session_date
    from user_sessions
),

rebuilt_days as (
    -- Every day when built whole.
    {{ rebuilt_days('event_sessions', 'sessions_this_run') }}
),

sessions as (
    select all_sessions.* from all_sessions
    inner join rebuilt_days
        on
            all_sessions.source = rebuilt_days.source
            and all_sessions.session_date = rebuilt_days.session_date
),

daily as (
    select
        session_date,
        source,
        count(*) as total_sessions,
        count(distinct user_id) as unique_users,
        {{ ratio_half_up('sum(duration_seconds)', 'count(*)') }} as avg_duration_seconds,
        {{ ratio_half_up('count(*) filter (where is_bounce)', 'count(*)', 100) }} as bounce_rate,
        case
            when source = 'app'
                then {{ ratio_half_up('count(*) filter (where error_count > 0)', 'count(*)', 100) }}
        end as error_rate
    from sessions
    group by session_date, source
),

entry_pages as (
    select
        session_date,
        source,
        entry_page as page,
        row_number() over (
            partition by session_date, source
            order by count(*) desc, entry_page asc
        ) as popularity_rank
    from sessions
    where entry_page is not null
    group by session_date, source, entry_page
),

exit_pages as (
    select
        session_date,
        source,
        exit_page as page,
        row_number() over (
            partition by session_date, source
            order by count(*) desc, exit_page asc
        ) as popularity_rank
    from sessions
    where exit_page is not null
    group by session_date, source, exit_page
),

final as (
    select
        daily.session_date as date,
        daily.source,
        daily.total_sessions,
        daily.unique_users,
        daily.avg_duration_seconds,
        cast(daily.bounce_rate as decimal(5, 2)) as bounce_rate,
        cast(daily.error_rate as decimal(5, 2)) as error_rate,
        entry_pages.page as most_common_entry,
        exit_pages.page as most_common_exit
    from daily
    left join entry_pages
        on
            daily.session_date = entry_pages.session_date
            and daily.source = entry_pages.source
            and entry_pages.popularity_rank = 1
    left join exit_pages
        on
            daily.session_date = exit_pages.session_date
            and daily.source = exit_pages.source
            and exit_pages.popularity_rank = 1
)

select * from final
