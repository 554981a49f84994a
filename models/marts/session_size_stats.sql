{#- One row per source: how many events sessions hold (the MOOC notebook's session-size report). -#}
with

sessions as (
    select * from {{ ref('user_sessions') }}
),

sizes as (
    select
        source,
        count(*) as sessions,
        min(event_count) as min_events,
        max(event_count) as max_events,
        {{ ratio_half_up('sum(event_count)', 'count(*)') }} as mean_events,
        cast(median(event_count) as decimal(18, 2)) as median_events
    from sessions
    group by source
)

select * from sizes
