{#-
    A condition selecting the rows of `relation` that the latest run wrote: those whose `column`
    (a time every run stamps on the rows it writes, e.g. `_loaded_at`) is at its latest value.
    `true` (every row) when the var test_whole_history is true. A full refresh stamps every row
    with one time, so after it this is every row. The time is a literal read when the test runs
    (latest_timestamp), so DuckDB skips the row groups of older runs.
-#}
{% macro latest_run_rows(relation, column) -%}
    {%- if var('test_whole_history') -%}
        true
    {%- else -%}
        {{ column }} >= {{ sessions.latest_timestamp(relation, column) }}
    {%- endif -%}
{%- endmacro %}
