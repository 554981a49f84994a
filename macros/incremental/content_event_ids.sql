{#-
    A select of `columns` of `relation` (a CTE of a base model) plus content_key and event_id,
    for records that carry no id of their own: where `usable` holds, content_key is a hash of
    `content_columns` and event_id a hash of the content key and the record's occurrence
    number among equal records (occurrence_number: stable whatever the order of files and
    lines, distinct for repeated records, continuing after the copies the model already holds
    that match `earlier_filter`); both are null elsewhere.
-#}
{% macro content_event_ids(relation, content_columns, columns, usable, earlier_filter='true') -%}
    with

    keyed as (
        select
            *,
            case when {{ usable }} then {{ sessions.surrogate_key(content_columns) }} end as content_key
        from {{ relation }}
    ),

    numbered as (
        select
            *,
            {{ sessions.occurrence_number('keyed', earlier_filter) }} as occurrence_number
        from keyed
    ),

    identified as (
        select
            {%- for column in columns %}
            {{ column }},
            {%- endfor %}
            content_key,
            case
                when content_key is not null then {{ sessions.surrogate_key(['content_key', 'occurrence_number']) }}
            end as event_id
        from numbered
    )

    select * from identified
{%- endmacro %}
