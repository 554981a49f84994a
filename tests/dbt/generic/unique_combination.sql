{#- Fails for every combination of `columns` that appears on more than one row. -#}
{% test unique_combination(model, columns) %}

with

counted as (
    select
        {{ columns | join(', ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ columns | join(', ') }}
)

select * from counted
where row_count > 1

{% endtest %}
