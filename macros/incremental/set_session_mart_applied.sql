{#-
    Sets this session mart's applied_through in int_incremental_manifest to `stamp` (SQL), and
    its as_of to `as_of` (SQL: the build's as_of its rows were judged at; null while it is
    being built whole).
-#}
{% macro set_session_mart_applied(stamp, as_of='null') -%}
    delete from {{ ref('int_incremental_manifest') }} where model_name = '{{ model.name }}';
    insert into {{ ref('int_incremental_manifest') }} (model_name, applied_through, as_of)
    select '{{ model.name }}', {{ stamp }}, {{ as_of }}
{%- endmacro %}
