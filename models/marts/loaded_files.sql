{#-
    The manifest of input file loads (grain: one row per source, file and load): what each run
    read from each file, the file's size and modification time when the run listed it, and what
    it held. A file is loaded once, whole, except a JSON-lines file that grows: each run that
    finds it larger loads its new complete lines, in a row of their own (first_line_number on).
    bytes_waiting: the bytes after the file's last newline, a last line without its newline,
    which waits for a later run. Incremental: each run appends the loads it made.
-#}
{{ config(materialized='incremental', incremental_strategy='append') }}

with

input_records as (
    select * from {{ ref('int_input_records_unioned') }}
),

loaded_records as (
    select
        source,
        file_name,
        line_number,
        is_blank,
        rejection_reason,
        _file_size,
        _file_modified_us,
        _line_end_byte,
        _loaded_at
    from input_records
    where {{ pending_rows_of_each_source() }}
),

loads as (
    select
        source,
        file_name,
        _loaded_at,
        min(line_number) as first_line_number,
        max(line_number) as last_line_number,
        count(*) as records_read,
        count(*) filter (where is_blank) as blank_records,
        count(*) filter (where rejection_reason is not null) as records_quarantined,
        max(_file_size) as file_size,
        max(_file_modified_us) as file_modified_us,
        max(_line_end_byte) as bytes_loaded
    from loaded_records
    group by source, file_name, _loaded_at
),

manifest as (
    select
        source,
        file_name,
        first_line_number,
        last_line_number,
        records_read,
        blank_records,
        records_quarantined,
        file_size,
        {{ timestamp_from_epoch_seconds(int_div('file_modified_us', 1000000)) }} as file_modified_at,
        bytes_loaded,
        file_size - bytes_loaded as bytes_waiting,
        _loaded_at
    from loads
)

select * from manifest
