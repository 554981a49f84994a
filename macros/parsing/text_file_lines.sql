{#-
    One row per line of every file matched by `path_expression` (a quoted path or glob, or a list
    of them): file_name, line_number (1-based), raw_line.

    A UTF-8 byte-order mark at the start of a file and the carriage return of CRLF line endings are
    removed; the empty piece after a file's final newline is not a line. Blank lines are kept (and
    flagged by the caller) so that every line read can be accounted for.
-#}
{% macro text_file_lines(path_expression) -%}
    {{ return(adapter.dispatch('text_file_lines', 'sessions')(path_expression)) }}
{%- endmacro %}

{% macro default__text_file_lines(path_expression) -%}
    {{ exceptions.raise_compiler_error(
        "text_file_lines is not implemented for the '" ~ adapter.type() ~ "' adapter"
    ) }}
{%- endmacro %}

{% macro duckdb__text_file_lines(path_expression) -%}
    select
        file_name,
        line_number,
        case
            when line_number = 1
                then rtrim(ltrim(raw_piece, chr(65279)), chr(13))
            else rtrim(raw_piece, chr(13))
        end as raw_line
    from (
        select
            file_name,
            unnest(pieces) as raw_piece,
            generate_subscripts(pieces, 1) as line_number,
            len(pieces) as piece_count,
            ends_with_newline
        from (
            select
                filename as file_name,
                string_split(content, chr(10)) as pieces,
                ends_with(content, chr(10)) as ends_with_newline
            from read_text({{ path_expression }})
        )
    )
    where not (ends_with_newline and line_number = piece_count)
{%- endmacro %}
