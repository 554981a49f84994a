{#-
    Identity stitching for the sources with anonymous visitors (`has_anonymous_ids` in the source
    registry: Segment): one row per source and anonymousId that was ever seen together with a userId, mapped to the userId of the latest such event. Events of
    that anonymousId without a userId, before or after the login, are attributed to this user.
    Holds no rows when no such source is enabled.
    Incremental: a row is replaced when newly loaded events carry a later pairing; `_loaded_at` is
    the load that set the current pairing, so sessionization knows which attributions changed.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['source', 'anonymous_id'],
) }}
{%- set registry = sessions.source_registry() %}
{%- set stitched_sources = sessions.enabled_sources(having='has_anonymous_ids') %}

with

{% for source_name in stitched_sources %}
{{ source_name }}_staged as (
    select * from {{ ref(registry[source_name].staging_model) }}
),

{% endfor %}
pending_pairings as (
    {%- for source_name in stitched_sources %}
    {%- set columns = registry[source_name].canonical_columns %}
    select
        '{{ source_name }}' as source,
        {{ columns.anonymous_id }} as anonymous_id,
        {{ columns.user_id }} as user_id,
        {{ columns.event_time }} as event_time,
        {{ columns.event_id }} as event_id,
        {{ columns._loaded_at }} as _loaded_at
    from {{ source_name }}_staged
    where
        {{ columns.anonymous_id }} is not null
        and {{ columns.user_id }} is not null
        and {{ pending_rows_filter() }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as source,
        cast(null as {{ dbt.type_string() }}) as anonymous_id,
        cast(null as {{ dbt.type_string() }}) as user_id,
        cast(null as {{ type_timestamptz() }}) as event_time,
        cast(null as {{ dbt.type_string() }}) as event_id,
        cast(null as {{ type_timestamptz() }}) as _loaded_at
    where false
    {%- endfor %}
),

candidates as (
    select
        *,
        true as is_new
    from pending_pairings
    {%- if is_incremental() %}
    union all
    select
        source,
        anonymous_id,
        stitched_user_id as user_id,
        paired_at as event_time,
        paired_by_event_id as event_id,
        _loaded_at,
        false as is_new
    from {{ this }}
    where (source, anonymous_id) in (select (pending_pairings.source, pending_pairings.anonymous_id) from pending_pairings)
    {%- endif %}
),

ranked as (
    select
        *,
        row_number() over (
            partition by source, anonymous_id
            order by event_time desc, event_id desc
        ) as recency_rank
    from candidates
),

stitched as (
    select
        source,
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
