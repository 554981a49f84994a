{#-
    A deterministic text key from a list of column expressions: the hash of their values joined by
    '|', with nulls spelled out so that (null, 'a') and ('', 'a') differ.
-#}
{% macro surrogate_key(expressions) -%}
    {%- set parts = [] -%}
    {%- for expression in expressions -%}
        {%- do parts.append(
            "coalesce(cast(" ~ expression ~ " as " ~ dbt.type_string() ~ "), '_null_')"
        ) -%}
        {%- if not loop.last -%}
            {%- do parts.append("'|'") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
