{#-
    Every row of the MOOC Parquet files, typed, with the reason it cannot be used (if any), and
    the event id of a usable row. line_number is the 1-based row index within its file. Rows
    carry no id and two equal rows are two interactions, so the id is a content hash plus the
    occurrence number among equal rows (content_event_ids). Usable rows are
    stg_mooc__interactions; the others go to quarantined_events.
    Incremental: each run reads only the files not loaded before (a Parquet file is loaded
    whole, once: a loaded file that changed stops the build, see files_to_load).
-#}
{{ config(materialized='incremental', incremental_strategy='append') }}
{%- set loads = files_to_load(source('mooc', 'interaction_files'), sessions.source_entry('mooc').path_var).loads %}
{%- set files = loads | map(attribute='file_name') | list %}
{#- A column missing from every file read (e.g. no rating) reads as null; a row then lacking a
    required value is quarantined like any other. #}
{%- set input_columns = ['user_id', 'item_id', 'ts_epoch', 'watch_percentage', 'rating'] %}
{%- set record_columns = [
    'file_name', 'line_number', 'raw_line', 'is_blank', 'user_id', 'item_id', 'ts_epoch',
    'event_time', 'watch_percentage', 'rating', '_file_size', '_file_modified_us',
    '_line_end_byte', '_loaded_at', 'rejection_reason',
] %}

with

parquet_rows as (
    {%- if files | length > 0 %}
    {{ parquet_rows(files, sessions.source_entry('mooc').path_var, input_columns) }}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as filename,
        cast(null as bigint) as file_row_number,
        cast(null as {{ dbt.type_string() }}) as user_id,
        cast(null as {{ dbt.type_string() }}) as item_id,
        cast(null as bigint) as ts_epoch,
        cast(null as double) as watch_percentage,
        cast(null as double) as rating
    where false
    {%- endif %}
),

loaded_file_metadata as (
    -- Each file's size and modification time as listed when the run started.
    {%- if loads | length > 0 %}
    select
        file_name,
        file_size,
        file_modified_us
    from (
        values
        {%- for load in loads %}
        (
            '{{ load.file_name | replace("'", "''") }}',
            {{ load.file_size }},
            {{ load.file_modified_us }}
        ){{ ',' if not loop.last }}
        {%- endfor %}
    ) as listed (file_name, file_size, file_modified_us)  -- noqa: AL05
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as file_name,
        cast(null as bigint) as file_size,
        cast(null as bigint) as file_modified_us
    where false
    {%- endif %}
),

source_rows as (
    select
        interactions.filename as file_name,
        interactions.file_row_number + 1 as line_number,
        -- The row as read, as JSON with every value as text: the same whichever other files
        -- were read with it (their column types are unified by the reader).
        {{ json_object_of([
            ('user_id', 'cast(interactions.user_id as ' ~ dbt.type_string() ~ ')', 'value'),
            ('item_id', 'cast(interactions.item_id as ' ~ dbt.type_string() ~ ')', 'value'),
            ('ts_epoch', 'cast(try_cast(interactions.ts_epoch as bigint) as ' ~ dbt.type_string() ~ ')', 'value'),
            ('watch_percentage', 'cast(try_cast(interactions.watch_percentage as double) as ' ~ dbt.type_string() ~ ')', 'value'),
            ('rating', 'cast(try_cast(interactions.rating as double) as ' ~ dbt.type_string() ~ ')', 'value'),
        ]) }} as raw_line,
        cast(interactions.user_id as {{ dbt.type_string() }}) as user_id,
        cast(interactions.item_id as {{ dbt.type_string() }}) as item_id,
        try_cast(interactions.ts_epoch as bigint) as ts_epoch,
        try_cast(interactions.watch_percentage as double) as watch_percentage,
        try_cast(interactions.rating as double) as rating,
        cast(loaded_file_metadata.file_size as bigint) as _file_size,
        cast(loaded_file_metadata.file_modified_us as bigint) as _file_modified_us
    from parquet_rows as interactions
    left join loaded_file_metadata
        on interactions.filename = loaded_file_metadata.file_name
),

validated as (
    select
        file_name,
        line_number,
        cast(raw_line as {{ dbt.type_string() }}) as raw_line,
        false as is_blank,
        nullif(trim(user_id), '') as user_id,
        nullif(trim(item_id), '') as item_id,
        ts_epoch,
        {{ timestamp_from_epoch_seconds('ts_epoch') }} as event_time,
        watch_percentage,
        rating,
        _file_size,
        _file_modified_us,
        cast(null as bigint) as _line_end_byte,
        {{ run_stamp() }} as _loaded_at,
        case
            when nullif(trim(user_id), '') is null then 'missing_user_id'
            when ts_epoch is null then 'missing_timestamp'
            when {{ timestamp_from_epoch_seconds('ts_epoch') }} is null then 'invalid_timestamp'
            when
                {{ timestamp_from_epoch_seconds('ts_epoch') }}
                > {{ dbt.dateadd('second', var('future_tolerance_seconds'), run_started_timestamp()) }}
                then 'timestamp_in_future'
        end as rejection_reason
    from source_rows
),

identified as (
    {{ content_event_ids(
        'validated',
        ['user_id', 'item_id', 'ts_epoch', 'watch_percentage', 'rating'],
        record_columns,
        usable='not is_blank and rejection_reason is null',
    ) }}
),

records_kept as (
    {{ keep_raw_line_of_rejected('identified', record_columns + ['content_key', 'event_id']) }}
)

select * from records_kept
