{#-
    Use a model's custom schema name as is (`staging`, `intermediate`), instead of dbt's default
    `<target_schema>_<custom>`, so that marts sit in the warehouse's default schema and can be
    queried without a prefix (`select * from chat_sessions`).
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
