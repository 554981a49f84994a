{#- Sets this session mart's applied_through in int_incremental_manifest to `stamp` (SQL). -#}
{% macro set_session_mart_applied(stamp) -%}
    delete from {{ ref('int_incremental_manifest') }} where model_name = '{{ model.name }}';
    insert into {{ ref('int_incremental_manifest') }} (model_name, applied_through)
    select '{{ model.name }}', {{ stamp }}
{%- endmacro %}
