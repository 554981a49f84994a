{#-
    One row per JSON record of the files of `input` (the model's one source) that this run
    loads: file_name, line_number, raw_line, is_blank, is_invalid_utf8, the load's bookkeeping
    (_file_size and _file_modified_us: the file as listed when the run started; _line_end_byte:
    the offset after a JSON line's newline, null for an array element), payload (the record
    parsed as JSON; null when it is not valid JSON or too large, see parse_json_record), and the
    record's top-level fields parsed once: json_fields, a struct of the JSON values of
    `text_fields` and `nested_fields` (see json_object_fields), and <field>__type / <field>__text
    for each of `text_fields` (see json_field_columns), which the field checks read. Only in a
    model materialized as incremental_files, which chooses the files and streams their records
    (sessions_ingest/records.py; no file is ever read whole into one value).

    Each file is read as a JSON array when its first character (after a byte-order mark and white
    space) is '[', and as JSON lines otherwise, so every JSON source accepts both forms.
      - JSON lines: line_number is the 1-based line; a UTF-8 byte-order mark and the carriage
        returns before a newline are removed; only complete lines are records: a last line
        without its newline waits for a later run (see file_load_plan). A line that is not valid UTF-8 has is_invalid_utf8 and its exact bytes as text:
        printable ASCII and tabs as is, every other byte escaped as \xNN (so nothing of the line
        is lost); the file's other lines are read as usual.
      - JSON array: line_number is the 1-based position of the element in the array, raw_line
        its text. A file that is not one valid JSON array yields one record (line_number 0, the
        file's start as raw_line) that the caller quarantines as invalid JSON; with bytes that
        are not UTF-8 it cannot be split safely and is that one record with is_invalid_utf8.
      - An empty file has no records.
-#}
{% macro json_file_records(input, text_fields=[], nested_fields=[]) -%}
    {%- if execute and config.get("materialized") != "incremental_files" -%}
        {{ exceptions.raise_compiler_error(
            "json_file_records reads the records that the incremental_files materialization "
            ~ "streams: configure " ~ model.name ~ " with materialized='incremental_files'."
        ) }}
    {%- endif -%}
    with

    records as (
        -- The records of the files of {{ input }} this run loads.
        select
            {{ sessions.as_text('file_name') }} as file_name,
            line_number,
            {{ sessions.as_text('raw_line') }} as raw_line,
            is_invalid_utf8,
            file_size as _file_size,
            file_modified_us as _file_modified_us,
            line_end_byte as _line_end_byte
        from {{ sessions.file_records_relation() }}
    ),

    parsed as (
        select
            file_name,
            line_number,
            raw_line,
            {{ sessions.is_blank_text('raw_line') }} as is_blank,
            is_invalid_utf8,
            _file_size,
            _file_modified_us,
            _line_end_byte,
            {{ sessions.parse_json_record('raw_line') }} as payload
        from records
    ),

    with_fields as (
        select
            *,
            {{ sessions.json_record_fields('payload', 'raw_line', text_fields, nested_fields) }} as json_fields
        from parsed
    )

    select
        *,
        {{ sessions.json_field_columns('json_fields', text_fields) }}
    from with_fields
{%- endmacro %}
