{#-
    The stamp of the next run after those in `run_sequence` (the state table), as a query on
    it: the start time, or one microsecond after the latest stamp when that is not earlier.
-#}
{% macro next_run_stamp_query(run_sequence) -%}
    select
        coalesce(max(run_number), 0) + 1 as run_number,
        greatest(
            {{ sessions.run_started_timestamp() }},
            coalesce(max(stamp) + interval 1 microsecond, {{ sessions.run_started_timestamp() }})
        ) as stamp
    from {{ run_sequence }}
{%- endmacro %}
