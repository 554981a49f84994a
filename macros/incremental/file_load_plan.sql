{#-
    The load plan of a base model's input files (a query): one row per file the source's path or
    glob (`path_expression`, from the var `var_name`) matches that this run must act on, with
      file_name, file_size (bytes), file_modified_us (modification time, microseconds since
      1970-01-01 UTC, at whole seconds), start_byte and first_line (where this run's records
      start: 0 and 1 for a whole file), size_when_loaded and modified_us_when_loaded (null for a
      file not loaded before), and change:
        new        never loaded (or nothing of it was: e.g. empty, or one line without its
                   newline): read whole
        grew       a JSON-lines file now larger than when it was last loaded: its lines after
                   the last loaded one (from the byte after its newline) are read
        shrank, modified, grew_not_json_lines
                   any other change of a loaded file: the build stops (files_to_load)
    Unchanged files (same size and modification time) have no row. Every row also carries
    files_listed, the number of files matched; when nothing is to be done the query gives one
    row with file_name null.

    What was loaded is read from the model's own rows (its table, `this`), which record, per
    record, the file's size and modification time when it was listed and, for a JSON line, the
    offset after its newline (_line_end_byte; null for array elements and Parquet rows). A full
    refresh plans every file as new. The files are listed by input_files_metadata, or read from
    `listing` when given (a relation with its columns, e.g. sessions_ingest.listing's).
-#}
{% macro file_load_plan(path_expression, var_name, listing=none) -%}
    with

    listed as (
        select
            filename as file_name,
            size as file_size,
            {{ sessions.epoch_microseconds('last_modified') }} as file_modified_us
        {%- if listing is none %}
        from ({{ sessions.input_files_metadata(path_expression, var_name) }}) as listing
        {%- else %}
        from {{ listing }}
        {%- endif %}
    ),

    summary as (
        select count(*) as files_listed from listed
    ),

    {%- if sessions.is_incremental() %}

    loaded as (
        -- Per file, what its loads so far took: lines, bytes (JSON lines), and its size and
        -- modification time as listed at its latest load.
        select
            file_name,
            max(line_number) as lines_loaded,
            max(_line_end_byte) as bytes_loaded,
            max_by(_file_size, _loaded_at) as size_when_loaded,
            max_by(_file_modified_us, _loaded_at) as modified_us_when_loaded
        from {{ this }}
        group by file_name
    ),

    {%- else %}

    loaded as (
        select
            cast(null as {{ dbt.type_string() }}) as file_name,
            cast(null as bigint) as lines_loaded,
            cast(null as bigint) as bytes_loaded,
            cast(null as bigint) as size_when_loaded,
            cast(null as bigint) as modified_us_when_loaded
        where false
    ),

    {%- endif %}

    compared as (
        select
            listed.file_name,
            listed.file_size,
            listed.file_modified_us,
            loaded.lines_loaded,
            loaded.bytes_loaded,
            loaded.size_when_loaded,
            loaded.modified_us_when_loaded,
            case
                when loaded.file_name is null then 'new'
                when
                    listed.file_size = loaded.size_when_loaded
                    and listed.file_modified_us = loaded.modified_us_when_loaded
                    then 'unchanged'
                when listed.file_size < loaded.size_when_loaded then 'shrank'
                when listed.file_size = loaded.size_when_loaded then 'modified'
                when loaded.bytes_loaded is null then 'grew_not_json_lines'
                else 'grew'
            end as change
        from listed
        left join loaded
            on listed.file_name = loaded.file_name
    ),

    planned as (
        select
            file_name,
            file_size,
            file_modified_us,
            case when change = 'grew' then bytes_loaded else 0 end as start_byte,
            case when change = 'grew' then lines_loaded + 1 else 1 end as first_line,
            size_when_loaded,
            modified_us_when_loaded,
            change
        from compared
        where change <> 'unchanged'
    ),

    plan_with_summary as (
        select
            summary.files_listed,
            planned.*
        from summary
        left join planned
            on true
    )

    select * from plan_with_summary
{%- endmacro %}
