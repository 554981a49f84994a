{#-
    What a base model loads from its input files this run (see file_load_plan): a dict with
      plan   the load plan's query
      loads  the files to read, in name order, as dicts (file_name, file_size, file_modified_us,
             start_byte, first_line); on a full refresh with `list_all` false, none (the
             caller reads the plan itself: a landing folder may hold many files)
    A loaded file may only grow by whole JSON lines (docs/incremental.md): a file that shrank,
    changed at the same size, or grew while it is not JSON lines (a JSON array, Parquet) stops
    the build with an error naming each file, what changed and `make backfill SOURCE=<source>`.
    Fails with a clear message naming `var_name` when the path matches no file. `listing`: a
    relation already listing the files (see file_load_plan). Returns no loads while dbt parses.
-#}
{% macro files_to_load(path_expression, var_name, list_all=true, listing=none) -%}
    {%- set plan = sessions.file_load_plan(path_expression, var_name, listing) -%}
    {%- if not execute -%}
        {{ return({'plan': plan, 'loads': []}) }}
    {%- endif -%}
    {%- set source_name = var_name.split('_')[0] -%}
    {%- set listing_only = not list_all and not sessions.is_incremental() -%}
    {%- set rows = run_query(
        "select files_listed from (" ~ plan ~ ") as plan limit 1" if listing_only
        else "select * from (" ~ plan ~ ") as plan order by file_name"
    ).rows -%}
    {%- if rows | length == 0 or rows[0]['files_listed'] == 0 -%}
        {{ exceptions.raise_compiler_error(
            "The var " ~ var_name ~ " = " ~ path_expression ~ " matches no file. Point it at your "
            ~ "input files (a path or a glob, relative to the project directory), or switch the "
            ~ "source off with " ~ source_name ~ "_enabled: false."
        ) }}
    {%- endif -%}
    {%- if listing_only -%}
        {{ return({'plan': plan, 'loads': none}) }}
    {%- endif -%}
    {%- set loads = [] -%}
    {%- set problems = [] -%}
    {%- for row in rows if row['file_name'] is not none -%}
        {%- if row['change'] in ('new', 'grew') -%}
            {%- do loads.append({
                'file_name': row['file_name'],
                'file_size': row['file_size'] | int,
                'file_modified_us': row['file_modified_us'] | int,
                'start_byte': row['start_byte'] | int,
                'first_line': row['first_line'] | int,
            }) -%}
        {%- else -%}
            {%- do problems.append(sessions.file_change_description(row)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            problems | length ~ " input file(s) of the var " ~ var_name ~ " changed after they were "
            ~ "loaded, other than by new JSON lines appended at the end:\n  - "
            ~ problems[:20] | join("\n  - ")
            ~ ("\n  - ... and " ~ (problems | length - 20) ~ " more" if problems | length > 20 else "")
            ~ "\nIncremental runs never reread what they loaded. Put the complete files in place, "
            ~ "then reload the source: make backfill SOURCE=" ~ source_name
            ~ " (docs/incremental.md, 'Files that change')."
        ) }}
    {%- endif -%}
    {{ return({'plan': plan, 'loads': loads}) }}
{%- endmacro %}
