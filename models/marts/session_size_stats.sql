{#-
    One row per source: how many events sessions hold (the MOOC notebook's session-size report).
    Computed from the distribution of session sizes (one row per source and size), so the
    median needs no sort of every session: it is the middle size, or the mean of the two
    middle sizes when the number of sessions is even.
-#}
with

sessions as (
    select * from {{ ref('user_sessions') }}
),

size_counts as (
    select
        source,
        event_count,
        count(*) as sessions_of_size
    from sessions
    group by source, event_count
),

size_distribution as (
    select
        *,
        sum(sessions_of_size) over (
            partition by source
            order by event_count
            rows between unbounded preceding and current row
        ) as sessions_up_to_size,
        sum(sessions_of_size) over (partition by source) as source_sessions
    from size_counts
),

sizes as (
    select
        source,
        cast(sum(sessions_of_size) as {{ dbt.type_bigint() }}) as sessions,
        min(event_count) as min_events,
        max(event_count) as max_events,
        {{ ratio_half_up('sum(event_count * sessions_of_size)', 'sum(sessions_of_size)') }} as mean_events,
        -- The sessions at positions (n + 1) / 2 and n / 2 + 1 in size order (one when n is odd).
        cast(
            (
                min(event_count) filter (where sessions_up_to_size >= {{ int_div('source_sessions + 1', '2') }})
                + min(event_count) filter (where sessions_up_to_size >= {{ int_div('source_sessions', '2') }} + 1)
            ) / 2.0 as decimal(18, 2)
        ) as median_events
    from size_distribution
    group by source
)

select * from sizes
