{#-
    The sum of `column_name` over `model` equals the number of rows of `compare_model` (filtered by
    `compare_where`): e.g. the session sizes add up to the events that went in.
-#}
{% test sum_equals_row_count(model, column_name, compare_model, where_clause='true', compare_where='true') %}

with

summed as (
    select coalesce(sum({{ column_name }}), 0) as total from {{ model }}
    where {{ where_clause }}
),

counted as (
    select count(*) as total from {{ compare_model }}
    where {{ compare_where }}
)

select
    summed.total as sum_of_column,
    counted.total as compared_row_count
from summed
cross join counted
where summed.total <> counted.total

{% endtest %}
