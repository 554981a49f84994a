{#-
    Identity stitching for sources with anonymous visitors (Segment): one row per anonymousId that
    was ever seen together with a userId, mapped to the userId of the latest such event. Events of
    that anonymousId without a userId, before or after the login, are attributed to this user.
-#}
{{ config(enabled=var("segment_enabled") | string | lower in ["true", "1", "yes"]) }}

with

segment_events as (
    select * from {{ ref('stg_segment__events') }}
),

pairings as (
    select
        anonymous_id,
        user_id,
        event_time,
        event_id
    from segment_events
    where anonymous_id is not null and user_id is not null
),

ranked as (
    select
        *,
        row_number() over (
            partition by anonymous_id
            order by event_time desc, event_id desc
        ) as recency_rank
    from pairings
),

stitched as (
    select
        'segment' as source,
        anonymous_id,
        user_id as stitched_user_id,
        event_time as paired_at,
        event_id as paired_by_event_id
    from ranked
    where recency_rank = 1
)

select * from stitched
