{#-
    Reconciliation, per loaded input file: the records in the file now (recounted from the file
    itself: complete lines of JSON lines, elements of a JSON array, rows of Parquet) equal the
    records staged + quarantined (in quarantined_events) + blank lines, over every load of the
    file (a JSON-lines file that grew was loaded in parts). A last line without its newline is
    not a record yet: it waits (loaded_files.bytes_waiting). Staged records include re-sent
    copies of an event id, which are kept once. Fails with one row per file that does not add up.
    Checks the files of the latest load (a full refresh loads them all), or every loaded file with
    the var test_whole_history: files are not re-read each build.
-#}

{%- set whole_history = var('test_whole_history') %}
{%- set registry = sessions.source_registry() %}
{%- set loaded_files_exist = execute and load_relation(ref('loaded_files')) is not none %}
{%- set latest_load = sessions.latest_run_rows(ref('loaded_files'), '_loaded_at') %}

{#- The files of the latest load, per source, looked up once. -#}
{%- set latest_files = {} %}
{%- if not whole_history and loaded_files_exist %}
    {%- set loaded = run_query(
        "select source, file_name from " ~ ref('loaded_files') ~ " where " ~ latest_load
        ~ " order by source, file_name"
    ) %}
    {%- for row in loaded.rows %}
        {%- do latest_files.setdefault(row[0], []).append(row[1]) %}
    {%- endfor %}
{%- endif %}

{#- The files to read again, per source: every file of its path (none), or those of the latest
    load (a list; absent: the latest load had no file of the source). -#}
{%- set files_to_check = {} %}
{%- for source_name in enabled_sources() %}
    {#- source() outside the branch: dbt records the dependency when it parses the test. #}
    {%- set source_path = source(source_name, registry[source_name].files_table) %}
    {%- if whole_history %}
        {%- do files_to_check.update({source_name: none}) %}
    {%- elif source_name in latest_files %}
        {%- do files_to_check.update({source_name: latest_files[source_name]}) %}
    {%- endif %}
{%- endfor %}

with

files_now as (
    {%- for source_name in enabled_sources() %}
    {%- if source_name not in files_to_check %}
    select
        '{{ source_name }}' as source,
        cast(null as {{ dbt.type_string() }}) as file_name,
        cast(null as bigint) as records_in_file
    where false
    {%- else %}
    {{ file_record_counts(source_name, files_to_check[source_name]) }}
    {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

latest_files as (
    select distinct
        source,
        file_name
    from {{ ref('loaded_files') }}
    where {{ latest_load }}
),

base_records as (
    -- Every load of the files of the latest load.
    select
        records.source,
        records.file_name,
        count(*) filter (where records.rejection_reason is null and not records.is_blank) as records_staged,
        count(*) filter (where records.is_blank) as blank_lines
    from {{ ref('int_input_records_unioned') }} as records
    inner join latest_files
        on
            records.source = latest_files.source
            and records.file_name = latest_files.file_name
    group by records.source, records.file_name
),

quarantined as (
    select
        quarantine.source,
        quarantine.file_name,
        count(*) as records_quarantined
    from {{ ref('quarantined_events') }} as quarantine
    inner join latest_files
        on
            quarantine.source = latest_files.source
            and quarantine.file_name = latest_files.file_name
    group by quarantine.source, quarantine.file_name
),

reconciled as (
    select
        files_now.source,
        files_now.file_name,
        files_now.records_in_file,
        coalesce(base_records.records_staged, 0) as records_staged,
        coalesce(quarantined.records_quarantined, 0) as records_quarantined,
        coalesce(base_records.blank_lines, 0) as blank_lines
    from files_now
    inner join latest_files
        on
            files_now.source = latest_files.source
            and files_now.file_name = latest_files.file_name
    left join base_records
        on
            files_now.source = base_records.source
            and files_now.file_name = base_records.file_name
    left join quarantined
        on
            files_now.source = quarantined.source
            and files_now.file_name = quarantined.file_name
)

select * from reconciled
where records_in_file <> records_staged + records_quarantined + blank_lines
