{#-
    The manifest of input files (grain: one row per source and file): when each file was loaded,
    its size and modification time then, and what it held. Incremental: each run appends the
    files it loaded. The landing folders are expected to only grow; the data test
    `loaded_files_unchanged` warns when a loaded file was rewritten since.
-#}
{{ config(materialized='incremental', incremental_strategy='append') }}

with

input_records as (
    select * from {{ ref('int_input_records_unioned') }}
),

file_metadata as (
    select * from {{ ref('int_input_files_listed') }}
),

loaded_records as (
    select
        source,
        file_name,
        is_blank,
        rejection_reason,
        _loaded_at
    from input_records
    where {{ pending_rows_of_each_source() }}
),

files as (
    select
        source,
        file_name,
        min(_loaded_at) as _loaded_at,
        count(*) as records_read,
        count(*) filter (where is_blank) as blank_records,
        count(*) filter (where rejection_reason is not null) as records_quarantined
    from loaded_records
    group by source, file_name
),

manifest as (
    select
        files.source,
        files.file_name,
        file_metadata.file_size,
        file_metadata.file_modified_at,
        files.records_read,
        files.blank_records,
        files.records_quarantined,
        files._loaded_at
    from files
    left join file_metadata
        on
            files.source = file_metadata.source
            and files.file_name = file_metadata.file_name
)

select * from manifest
