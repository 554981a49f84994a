{#-
    Fails for every source whose quarantined records exceed `max_ratio` of the non-blank records
    that the latest run loaded (from the loaded_files manifest: the files it loaded), so a bad
    batch fails the build that loads it, whatever the history holds, and the next clean batch
    passes. With the var test_whole_history, over every file ever loaded. Used twice: as a
    warning above the var quarantine_warn_ratio and as an error above quarantine_error_ratio.
-#}
{% test quarantine_ratio_below(model, max_ratio) %}

with

loaded_by_latest_run as (
    select * from {{ model }}
    where {{ sessions.latest_run_rows(model, '_loaded_at') }}
),

per_source as (
    select
        source,
        sum(records_read - blank_records) as records_read,
        sum(records_quarantined) as records_quarantined
    from loaded_by_latest_run
    group by source
)

select
    source,
    records_read,
    records_quarantined,
    round(records_quarantined / records_read, 4) as quarantined_ratio,
    {{ max_ratio }} as max_ratio
from per_source
where records_read > 0 and records_quarantined > {{ max_ratio }} * records_read

{% endtest %}
