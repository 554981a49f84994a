{#-
    A JSON object from `members`, a list of (key, SQL expression, kind): kind 'value' puts the
    value in as JSON (text quoted, numbers as numbers, null as null), 'json' a JSON text as is.
    Compact, keys in the given order, like DuckDB's json_object.
-#}
{% macro json_object_of(members) -%}
    {{ return(adapter.dispatch('json_object_of', 'sessions')(members)) }}
{%- endmacro %}

{% macro default__json_object_of(members) -%}
    json_object(
        {%- for key, expression, kind in members -%}
        '{{ key }}', {{ expression }}{{ ', ' if not loop.last }}
        {%- endfor -%}
    )
{%- endmacro %}

{% macro spark__json_object_of(members) -%}
    concat(
        '{',
        {%- for key, expression, kind in members %}
        '"{{ key }}":',
        {%- if kind == 'json' %}
        coalesce({{ expression }}, 'null'),
        {%- else %}
        coalesce(regexp_extract(to_json(array({{ expression }})), '^\\[(.*)\\]$', 1), 'null'),
        {%- endif %}
        {{ "','," if not loop.last }}
        {%- endfor %}
        '}'
    )
{%- endmacro %}
