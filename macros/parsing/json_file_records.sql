{#-
    One row per JSON record of every file in `files` (a list of paths; see files_to_load):
    file_name, line_number, raw_line, is_blank, is_invalid_utf8, and payload (the record parsed
    as JSON; null when it is not valid JSON or too large, see parse_json_record). No rows when the
    list is empty.

    Each file is read as a JSON array when its first character (after a byte-order mark and white
    space) is '[', and as JSON lines otherwise, so every JSON source accepts both forms.
      - JSON lines: line_number is the 1-based line; a UTF-8 byte-order mark and the carriage
        return of CRLF endings are removed; the empty piece after the final newline is not a line.
      - JSON array: line_number is the 1-based position of the element in the array. A file that
        is not valid JSON as a whole yields one record (line_number 0, the file's start as
        raw_line) that the caller quarantines as invalid JSON.
      - A JSON-lines file that is not valid UTF-8 is split into lines as bytes: its valid lines
        are read as usual, and each line with invalid bytes is returned with is_invalid_utf8 and
        its exact bytes as text: printable ASCII as is, every other byte escaped as \xNN (so
        nothing of the line is lost), so one bad byte never costs the rest of the file.
        A JSON array file with invalid bytes cannot be split safely: it is one record (line 0,
        is_invalid_utf8).
      - An empty file has no records.
-#}
{% macro json_file_records(files) -%}
    {{ return(adapter.dispatch('json_file_records', 'sessions')(files)) }}
{%- endmacro %}

{% macro default__json_file_records(files) -%}
    {{ exceptions.raise_compiler_error(
        "json_file_records is not implemented for the '" ~ adapter.type() ~ "' adapter"
    ) }}
{%- endmacro %}

{% macro duckdb__json_file_records(files) -%}
    {%- set whitespace = "' ' || chr(9) || chr(10) || chr(13)" -%}
    with

    file_blobs as (
        {%- if files | length > 0 %}
        select
            filename,
            content
        from read_blob({{ sessions.sql_string_list(files) }})
        {%- else %}
        select
            cast(null as varchar) as filename,
            cast(null as blob) as content
        where false
        {%- endif %}
    ),

    file_contents as (
        select
            filename,
            content as raw_content,
            try(decode(content)) as content
        from file_blobs
    ),

    files as (
        select
            filename as file_name,
            ltrim(content, chr(65279)) as content,
            starts_with(ltrim(ltrim(content, chr(65279)), {{ whitespace }}), '[') as is_array
        from file_contents
        where content is not null and content <> ''
    ),

    -- Files with invalid UTF-8: split the escaped bytes on '\x0A' (newline), then decode each line.
    escaped_pieces as (
        select
            file_name,
            unnest(pieces) as escaped_piece,
            generate_subscripts(pieces, 1) as line_number,
            len(pieces) as piece_count,
            ends_with_newline
        from (
            select
                filename as file_name,
                string_split(cast(raw_content as varchar), '\x0A') as pieces,
                ends_with(cast(raw_content as varchar), '\x0A') as ends_with_newline
            from file_contents
            where content is null and not starts_with(ltrim(decode(raw_content, 'replace'), {{ whitespace }}), '[')
        )
    ),

    undecodable_arrays as (
        select
            filename as file_name,
            0 as line_number,
            left(decode(raw_content, 'replace'), 4096) as raw_line,
            true as is_invalid_utf8
        from file_contents
        where content is null and starts_with(ltrim(decode(raw_content, 'replace'), {{ whitespace }}), '[')
    ),

    escaped_lines as (
        select
            file_name,
            line_number,
            escaped_piece,
            try(decode(cast(escaped_piece as blob))) as decoded_line,
            -- A line with invalid bytes, losslessly: DuckDB escapes every byte but printable
            -- ASCII as \xNN; quotes, apostrophes, tabs and backslashes are shown as themselves
            -- (backslash last, so escapes of other bytes stay unambiguous).
            replace(replace(replace(replace(
                regexp_replace(escaped_piece, '\\x0D$', ''),
                '\x22', '"'), '\x27', ''''), '\x09', chr(9)), '\x5C', '\') as escaped_line
        from escaped_pieces
        where not (ends_with_newline and line_number = piece_count)
    ),

    undecodable_file_lines as (
        select
            file_name,
            line_number,
            rtrim(
                case
                    when decoded_line is null then escaped_line
                    when line_number = 1 then ltrim(decoded_line, chr(65279))
                    else decoded_line
                end,
                chr(13)
            ) as raw_line,
            decoded_line is null as is_invalid_utf8
        from escaped_lines
    ),

    line_pieces as (
        select
            file_name,
            unnest(pieces) as raw_piece,
            generate_subscripts(pieces, 1) as line_number,
            len(pieces) as piece_count,
            ends_with(content, chr(10)) as ends_with_newline
        from (
            select
                file_name,
                content,
                string_split(content, chr(10)) as pieces
            from files
            where not is_array
        )
    ),

    lines as (
        select
            file_name,
            line_number,
            rtrim(raw_piece, chr(13)) as raw_line
        from line_pieces
        where not (ends_with_newline and line_number = piece_count)
    ),

    arrays as (
        select
            file_name,
            content,
            try_cast(content as json) as document
        from files
        where is_array
    ),

    array_elements as (
        select
            file_name,
            generate_subscripts(elements, 1) as line_number,
            cast(unnest(elements) as varchar) as raw_line
        from (
            select
                file_name,
                json_extract(document, '$[*]') as elements
            from arrays
            where document is not null
        )
    ),

    invalid_arrays as (
        select
            file_name,
            0 as line_number,
            left(content, 4096) as raw_line
        from arrays
        where document is null
    ),

    records as (
        select
            *,
            false as is_invalid_utf8
        from lines
        union all
        select
            *,
            false as is_invalid_utf8
        from array_elements
        union all
        select
            *,
            false as is_invalid_utf8
        from invalid_arrays
        union all
        select * from undecodable_file_lines
        union all
        select * from undecodable_arrays
    )

    select
        file_name,
        line_number,
        raw_line,
        trim(raw_line, {{ whitespace }}) = '' as is_blank,
        is_invalid_utf8,
        {{ sessions.parse_json_record('raw_line') }} as payload
    from records
{%- endmacro %}
