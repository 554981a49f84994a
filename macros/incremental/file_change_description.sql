{#-
    What changed in a loaded input file, in words, from its row of file_load_plan (change
    shrank, modified or grew_not_json_lines): its name, sizes and modification times.
-#}
{% macro file_change_description(row) -%}
    {%- set when_loaded = sessions.microseconds_as_text(row['modified_us_when_loaded']) -%}
    {%- set now = sessions.microseconds_as_text(row['file_modified_us']) -%}
    {%- if row['change'] == 'shrank' -%}
        {%- set what = "shrank from " ~ row['size_when_loaded'] ~ " to " ~ row['file_size'] ~ " bytes" -%}
    {%- elif row['change'] == 'modified' -%}
        {%- set what = "was modified at the same size (" ~ row['file_size'] ~ " bytes): modified "
            ~ when_loaded ~ " when loaded, " ~ now ~ " now" -%}
    {%- else -%}
        {%- set what = "grew from " ~ row['size_when_loaded'] ~ " to " ~ row['file_size']
            ~ " bytes, but it was not loaded as JSON lines (a JSON array or Parquet file is "
            ~ "loaded whole, once)" -%}
    {%- endif -%}
    {{ return(row['file_name'] ~ ": " ~ what) }}
{%- endmacro %}
