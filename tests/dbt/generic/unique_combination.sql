{#-
    Fails for every combination of `columns` that appears on more than one row.

    With `latest_run_column` (a time each run stamps on the rows it writes, e.g. `_loaded_at`),
    only the combinations of the rows the latest run wrote are counted, over every row of the
    model: a key the run added twice, or added again after an earlier run, fails; the keys of
    older runs, already checked by their own build, are not grouped again. The var
    test_whole_history counts every combination.
-#}
{% test unique_combination(model, columns, latest_run_column=none) %}

{%- set key = columns | join(', ') %}

with

{%- if latest_run_column and not var('test_whole_history') %}

latest_keys as (
    select distinct {{ key }}
    from {{ model }}
    where {{ sessions.latest_run_rows(model, latest_run_column) }}
),

rows_to_check as (
    select {{ key }}
    from {{ model }} as checked
    where exists (
        select 1
        from latest_keys
        where
            {%- for column in columns %}
            {{ 'and ' if not loop.first }}latest_keys.{{ column }} is not distinct from checked.{{ column }}
            {%- endfor %}
    )
),
{%- else %}

rows_to_check as (
    select {{ key }}
    from {{ model }}
),
{%- endif %}

counted as (
    select
        {{ key }},
        count(*) as row_count
    from rows_to_check
    group by {{ key }}
)

select * from counted
where row_count > 1

{% endtest %}
