{#-
    Every input record that could not be used, with where it came from and why: nothing is
    dropped silently. One row per rejected line (JSON lines), array element (JSON arrays) or row
    (Parquet). Incremental: appends each source's records loaded since its last appended load.
-#}
{{ config(materialized='incremental', incremental_strategy='append') }}

with

input_records as (
    select * from {{ ref('int_input_records_unioned') }}
),

rejected as (
    select
        source,
        file_name,
        line_number,
        -- A record too large to parse is kept up to the size limit.
        left(raw_line, {{ var('max_record_bytes') }}) as raw_line,
        rejection_reason,
        _loaded_at
    from input_records
    where
        rejection_reason is not null
        and {{ pending_rows_of_each_source() }}
)

select * from rejected
