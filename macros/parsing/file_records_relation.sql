{#- The name under which incremental_files makes the records of the model's files readable. -#}
{% macro file_records_relation() -%}
    {{ return(this.identifier ~ '__file_records') }}
{%- endmacro %}
