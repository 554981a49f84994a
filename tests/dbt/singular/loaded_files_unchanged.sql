{#-
    Warns for every input file that was rewritten after it was loaded (size or modification time
    changed): incremental runs read each file once, so changed lines in it are not picked up
    until `dbt build --full-refresh`.
-#}
{{ config(severity='warn') }}

with

manifest as (
    select * from {{ ref('loaded_files') }}
),

current_files as (
    select * from {{ ref('int_input_files_listed') }}
)

select
    manifest.source,
    manifest.file_name,
    manifest.file_size as size_when_loaded,
    current_files.file_size as size_now,
    manifest.file_modified_at as modified_when_loaded,
    current_files.file_modified_at as modified_now
from manifest
inner join current_files
    on
        manifest.source = current_files.source
        and manifest.file_name = current_files.file_name
where
    manifest.file_size <> current_files.file_size
    or manifest.file_modified_at <> current_files.file_modified_at
