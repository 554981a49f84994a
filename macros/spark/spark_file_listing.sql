{#-
    Spark: the files the path var `var_name` matches, as binaryFile rows (path, length,
    modificationTime; the content is read only when selected). A path that matches nothing is
    no error here, so that the callers' messages name the var.
-#}
{% macro spark_file_listing(var_name) -%}
    select path, length, modificationTime
    from binaryFile.`{{ var(var_name) | replace('`', '``') }}`
{%- endmacro %}
