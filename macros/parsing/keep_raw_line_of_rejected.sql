{#-
    The final step of a base model: the raw text is kept only for the records that are
    quarantined (what quarantined_events shows); a usable or blank record is in the typed
    columns, so storing its text again would only cost writing it. `columns`: the relation's
    columns in order (Spark has no `* replace`).
-#}
{% macro keep_raw_line_of_rejected(relation, columns) -%}
    {{ return(adapter.dispatch('keep_raw_line_of_rejected', 'sessions')(relation, columns)) }}
{%- endmacro %}

{% macro duckdb__keep_raw_line_of_rejected(relation, columns) -%}
    select
        * replace (case when rejection_reason is not null then raw_line end as raw_line)
    from {{ relation }}
{%- endmacro %}

{% macro spark__keep_raw_line_of_rejected(relation, columns) -%}
    select
        {%- for column in columns %}
        {%- if column == 'raw_line' %}
        case when rejection_reason is not null then raw_line end as raw_line
        {%- else %}
        {{ column }}
        {%- endif %}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
{%- endmacro %}
