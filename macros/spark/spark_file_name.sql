{#-
    Spark: a file's name as the project shows it: a local file as its path (Spark's `file:`
    URI prefix removed), any other file system's URI (s3a://, hdfs://) as is.
-#}
{% macro spark_file_name(uri_expression) -%}
    regexp_replace({{ uri_expression }}, '^file:/+', '/')
{%- endmacro %}
