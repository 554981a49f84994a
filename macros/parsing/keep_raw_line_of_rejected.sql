{#-
    The final step of a base model: the raw text is kept only for the records that are
    quarantined (what quarantined_events shows); a usable or blank record is in the typed
    columns, so storing its text again would only cost writing it.
-#}
{% macro keep_raw_line_of_rejected(relation) -%}
    select
        * replace (case when rejection_reason is not null then raw_line end as raw_line)
    from {{ relation }}
{%- endmacro %}
