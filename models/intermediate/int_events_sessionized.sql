{#-
    Every canonical event with its session: sessions are computed per (source, user_id) with the
    source's own inactivity gap.
-#}
with

events as (
    select
        *,
        {{ source_inactivity_seconds('source') }} as inactivity_seconds
    from {{ ref('int_events_unioned') }}
),

sessionized as (
    {{ sessionize(
        relation='events',
        partition_by=['source', 'user_id'],
        event_time='event_time',
        event_id='event_id',
        inactivity_seconds='inactivity_seconds',
    ) }}
)

select * from sessionized
