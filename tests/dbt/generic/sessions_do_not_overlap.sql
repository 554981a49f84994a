{#-
    Fails for every pair of sessions of the same partition (e.g. one user of one source) whose
    time ranges overlap: a session must end before the next one starts.
-#}
{% test sessions_do_not_overlap(model, partition_by, start_column, end_column) %}

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
where next_session_start <= session_end

{% endtest %}
