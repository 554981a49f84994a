{#-
    Spark: makes the records of the files the path var `path_var` matches readable as the
    temporary view `view_name`, with the columns sessions_ingest.records gives DuckDB
    (file_name, line_number, raw_line, is_invalid_utf8, line_end_byte, file_size,
    file_modified_us) and the same rules (a Spark build always reads every file whole):
    - JSON lines are read by Spark's text source, split on '\n' only, in parallel: a line's
      number is the count of lines in the earlier splits of its file (their row counts) plus its
      position in its split (Spark numbers a partition's rows consecutively). Byte-order marks
      at the file's start and the carriage returns before a newline are removed; a last line
      without its newline is left out (it waits, as in DuckDB's loads); a line that is not UTF-8 is shown with every byte that is not printable ASCII or a tab as \xNN (one
      carriage return before its newline dropped).
    - A file whose first character (after byte-order marks and white space) is '[' is read whole
      as one JSON array (binaryFile): one record per element, numbered from 1, each element's
      exact text (the array's JSON tokens, placed and nested by window functions); a file that
      is not one valid array of UTF-8 text is one record numbered 0 holding its first 4096
      characters.
-#}
{% macro spark_register_file_records(view_name, path_var) -%}
    {%- set lines_view = view_name ~ '__lines' -%}
    {%- set path = var(path_var) | replace("\\", "\\\\") | replace("'", "\\'") -%}
    {%- do run_query(
        "create or replace temporary view " ~ lines_view
        ~ " using text options (path '" ~ path ~ "', lineSep '\\n')"
    ) -%}
    {%- set first_lines = run_query(
        "select file_uri from ("
        ~ " select input_file_name() as file_uri, input_file_block_start() as block_start,"
        ~ " monotonically_increasing_id() as row_id, value from " ~ lines_view ~ ")"
        ~ " where block_start = 0 and regexp_replace(value, '^[\\\\x{FEFF} \\\\t\\\\r]+', '') <> ''"
        ~ " group by file_uri"
        ~ " having startswith(regexp_replace(min_by(value, row_id), '^[\\\\x{FEFF} \\\\t\\\\r]+', ''), '[')"
    ) -%}
    {%- set array_files = first_lines.columns[0].values() | list -%}
    {% call statement('register_' ~ view_name) -%}
    create or replace temporary view {{ view_name }} as
    with

    lines as (
        select
            input_file_name() as file_uri,
            input_file_block_start() as block_start,
            monotonically_increasing_id() as row_id,
            value as line
        from {{ lines_view }}
        {%- if array_files %}
        where input_file_name() not in ({% for uri in array_files %}'{{ uri | replace("'", "\\'") }}'{{ ', ' if not loop.last }}{% endfor %})
        {%- endif %}
    ),

    blocks as (
        -- Each split of a file: its rows are numbered consecutively from first_row_id.
        select
            file_uri,
            block_start,
            min(row_id) as first_row_id,
            count(*) as block_lines
        from lines
        group by file_uri, block_start
    ),

    blocks_placed as (
        select
            file_uri,
            block_start,
            first_row_id,
            sum(block_lines) over (partition by file_uri order by block_start) - block_lines as lines_before
        from blocks
    ),

    numbered as (
        select
            lines.file_uri,
            blocks_placed.lines_before + lines.row_id - blocks_placed.first_row_id + 1 as line_number,
            lines.line
        from lines
        inner join blocks_placed
            on
                lines.file_uri = blocks_placed.file_uri
                and lines.block_start = blocks_placed.block_start
    ),

    numbered_ends as (
        -- The offset just past each line's newline: the bytes of the file's lines so far, each
        -- with its newline (the last one waits when it has none: see complete_lines).
        select
            *,
            sum(octet_length(cast(line as binary)) + 1) over (
                partition by file_uri
                order by line_number
                rows between unbounded preceding and current row
            ) as line_end_byte
        from numbered
    ),

    unmarked as (
        select
            file_uri,
            line_number,
            line_end_byte,
            case
                when line_number = 1
                    then cast(unhex(regexp_replace(hex(cast(line as binary)), '^(EFBBBF)+', '')) as string)
                else line
            end as line
        from numbered_ends
    ),

    complete_lines as (
        -- A file's lines with their newlines add up to its length, plus one when its last line
        -- has no newline: that line waits.
        select
            numbered.file_uri,
            max(numbered.line_number) as last_line_number,
            sum(octet_length(cast(numbered.line as binary)) + 1) > max(listing.length) as ends_unterminated
        from numbered
        inner join ({{ sessions.spark_file_listing(path_var) }}) as listing
            on numbered.file_uri = listing.path
        group by numbered.file_uri
    ),

    line_records as (
        select
            {{ sessions.spark_file_name('file_uri') }} as file_name,
            line_number,
            case
                when is_valid_utf8(line) then regexp_replace(line, '\r+$', '')
                else array_join(
                    transform(
                        regexp_extract_all(regexp_replace(hex(cast(line as binary)), '0D$', ''), '(..)', 1),
                        byte -> case
                            when byte = '09' or cast(conv(byte, 16, 10) as int) between 32 and 126
                                then chr(cast(conv(byte, 16, 10) as int))
                            else concat('\\x', byte)
                        end
                    ),
                    ''
                )
            end as raw_line,
            not is_valid_utf8(line) as is_invalid_utf8,
            line_end_byte
        from unmarked
        where not exists (
            select 1 from complete_lines
            where
                complete_lines.file_uri = unmarked.file_uri
                and complete_lines.ends_unterminated
                and complete_lines.last_line_number = unmarked.line_number
        )
    )

    {%- for uri in array_files %}
    {%- set alias = 'array_' ~ loop.index %}
    ,

    {{ alias }}_file as (
        select
            {{ sessions.spark_file_name('path') }} as file_name,
            cast(unhex(regexp_replace(hex(content), '^(EFBBBF)+', '')) as string) as text
        from binaryFile.`{{ uri | replace('`', '``') }}`
    ),

    {{ alias }}_parsed as (
        select
            file_name,
            text,
            is_valid_utf8(text) as is_utf8,
            -- Null when the file is not one JSON array.
            case when is_valid_utf8(text) then from_json(text, 'array<string>') end as elements
        from {{ alias }}_file
    ),

    {{ alias }}_tokens as (
        -- The array's text as JSON tokens (strings, brackets, commas, white space, other
        -- values), in order: together they are the whole text.
        select
            {{ alias }}_parsed.file_name,
            token.pos as token_number,
            token.col as token
        from {{ alias }}_parsed
        lateral view posexplode(
            regexp_extract_all(text, '("[^"\\\\]*+(?:\\\\.[^"\\\\]*+)*+"|[\\[\\]{},]|\\s+|[^\\[\\]{},"\\s]+)', 1)
        ) token as pos, col
        where {{ alias }}_parsed.elements is not null
    ),

    {{ alias }}_tokens_placed as (
        select
            file_name,
            token_number,
            token,
            coalesce(sum(char_length(token)) over preceding_tokens, 0) as char_start,
            coalesce(sum(case
                when token in ('[', '{') then 1
                when token in (']', '}') then -1
                else 0
            end) over preceding_tokens, 0) as depth_before
        from {{ alias }}_tokens
        window preceding_tokens as (
            partition by file_name order by token_number rows between unbounded preceding and 1 preceding
        )
    ),

    {{ alias }}_element_tokens as (
        -- The tokens inside the outer brackets, numbered by the top-level element they are in.
        select
            file_name,
            token,
            char_start,
            depth_before,
            1 + sum(case when depth_before = 1 and token = ',' then 1 else 0 end) over (
                partition by file_name order by token_number
            ) as element_number
        from {{ alias }}_tokens_placed
    ),

    {{ alias }}_elements as (
        -- Each element's place in the text, from its first to its last token (not white space).
        select
            file_name,
            element_number,
            min(char_start) as char_start,
            max(char_start + char_length(token)) as char_end
        from {{ alias }}_element_tokens
        where
            depth_before >= 1
            and not (depth_before = 1 and token in (',', ']'))
            and not token rlike '^\\s+$'
        group by file_name, element_number
    ),

    {{ alias }}_records as (
        select
            {{ alias }}_parsed.file_name,
            {{ alias }}_elements.element_number as line_number,
            substring({{ alias }}_parsed.text, {{ alias }}_elements.char_start + 1, {{ alias }}_elements.char_end - {{ alias }}_elements.char_start) as raw_line,
            false as is_invalid_utf8,
            cast(null as bigint) as line_end_byte
        from {{ alias }}_parsed
        inner join {{ alias }}_elements
            on {{ alias }}_parsed.file_name = {{ alias }}_elements.file_name
        union all
        select
            file_name,
            0 as line_number,
            left(make_valid_utf8(text), 4096) as raw_line,
            not is_utf8 as is_invalid_utf8,
            cast(null as bigint) as line_end_byte
        from {{ alias }}_parsed
        where elements is null
    )
    {%- endfor %},

    all_records as (
        select * from line_records
        {%- for uri in array_files %}
        union all
        select * from array_{{ loop.index }}_records
        {%- endfor %}
    ),

    listed as (
        select
            {{ sessions.spark_file_name('path') }} as file_name,
            length as file_size,
            unix_micros(date_trunc('second', modificationTime)) as file_modified_us
        from ({{ sessions.spark_file_listing(path_var) }}) as listing
    )

    select
        all_records.file_name,
        all_records.line_number,
        all_records.raw_line,
        all_records.is_invalid_utf8,
        all_records.line_end_byte,
        listed.file_size,
        listed.file_modified_us
    from all_records
    left join listed
        on all_records.file_name = listed.file_name
    {%- endcall %}
{%- endmacro %}
