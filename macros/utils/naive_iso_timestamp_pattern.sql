{#- The ISO-8601 forms without an offset: a date, then optionally a time. -#}
{% macro naive_iso_timestamp_pattern() -%}
    '\s*\d{4}-\d{1,2}-\d{1,2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*'
{%- endmacro %}
