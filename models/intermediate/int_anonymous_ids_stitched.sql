{#-
    Identity stitching for sources with anonymous visitors (Segment): one row per anonymousId that
    was ever seen together with a userId, mapped to the userId of the latest such event. Events of
    that anonymousId without a userId, before or after the login, are attributed to this user.
    Holds no rows when the Segment source is disabled.
    Incremental: a row is replaced when newly loaded events carry a later pairing; `_loaded_at` is
    the load that set the current pairing, so sessionization knows which attributions changed.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='anonymous_id',
) }}

with

pending_pairings as (
    {%- if 'segment' in enabled_sources() %}
    select
        anonymous_id,
        user_id,
        event_time,
        event_id,
        _loaded_at
    from {{ ref('stg_segment__events') }}
    where
        anonymous_id is not null
        and user_id is not null
        and {{ pending_rows_filter() }}
    {%- else %}
    select
        cast(null as varchar) as anonymous_id,
        cast(null as varchar) as user_id,
        cast(null as timestamp with time zone) as event_time,
        cast(null as varchar) as event_id,
        cast(null as timestamp with time zone) as _loaded_at
    where false
    {%- endif %}
),

candidates as (
    select
        *,
        true as is_new
    from pending_pairings
    {%- if is_incremental() %}
    union all
    select
        anonymous_id,
        stitched_user_id as user_id,
        paired_at as event_time,
        paired_by_event_id as event_id,
        _loaded_at,
        false as is_new
    from {{ this }}
    where anonymous_id in (select pending_pairings.anonymous_id from pending_pairings)
    {%- endif %}
),

ranked as (
    select
        *,
        row_number() over (
            partition by anonymous_id
            order by event_time desc, event_id desc
        ) as recency_rank
    from candidates
),

stitched as (
    select
        'segment' as source,
        anonymous_id,
        user_id as stitched_user_id,
        event_time as paired_at,
        event_id as paired_by_event_id,
        _loaded_at
    from ranked
    -- Only pairings that win and are new: an unchanged attribution is left alone.
    where recency_rank = 1 and is_new
)

select * from stitched
