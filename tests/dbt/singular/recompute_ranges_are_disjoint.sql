{#-
    A user's recompute ranges (of one client session) of the latest run never overlap: int_events_sessionized sessionizes
    each range on its own, so sessions in two ranges would be written twice. In offset order,
    every range but the last is bounded (to the one session after its offset), and every bounded
    range ends before the next range starts.
-#}
with

latest_ranges as (
    select ranges.* from {{ ref('int_session_recompute_ranges') }} as ranges
    where ranges._computed_at = (
        select max(all_ranges._computed_at) from {{ ref('int_session_recompute_ranges') }} as all_ranges
    )
),

ranges_in_order as (
    select
        source,
        user_id,
        client_session_key,
        session_number_offset,
        session_number_limit,
        lead(session_number_offset) over (
            partition by source, user_id, client_session_key
            order by session_number_offset
        ) as next_range_offset
    from latest_ranges
),

overlapping as (
    select * from ranges_in_order
    where
        (session_number_limit is not null and session_number_limit <> session_number_offset + 1)
        or (
            next_range_offset is not null
            and (session_number_limit is null or session_number_limit > next_range_offset)
        )
)

select * from overlapping
