{#-
    Fails for every pair of consecutive sessions of the same partition (e.g. one user of one
    source) whose time ranges overlap: a session must end before the next one starts, or at the
    same instant when `allow_shared_end_point` (an explicit session end followed by an event at
    the same time).
-#}
{% test sessions_do_not_overlap(model, partition_by, start_column, end_column, allow_shared_end_point=false) %}

with

ordered as (
    select
        {{ partition_by | join(', ') }},
        {{ start_column }} as session_start,
        {{ end_column }} as session_end,
        lead({{ start_column }}) over (
            partition by {{ partition_by | join(', ') }}
            order by {{ start_column }}, {{ end_column }}
        ) as next_session_start
    from {{ model }}
)

select * from ordered
where next_session_start {{ '<' if allow_shared_end_point else '<=' }} session_end

{% endtest %}
