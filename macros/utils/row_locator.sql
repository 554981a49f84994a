{#-
    Columns that locate a stored row of a table, for a self-join that fetches wide rows after
    choosing them on narrow columns: DuckDB's rowid, so the join reads only the chosen rows of
    the wide columns instead of scanning all of them; else `key_columns`, the table's unique
    key (other adapters). A unit test's fixture of the table gives a `rowid` column.
-#}
{% macro row_locator(key_columns) -%}
    {{ return(adapter.dispatch('row_locator', 'sessions')(key_columns)) }}
{%- endmacro %}

{% macro default__row_locator(key_columns) -%}
    {{ return(key_columns) }}
{%- endmacro %}

{% macro duckdb__row_locator(key_columns) -%}
    {{ return(['rowid']) }}
{%- endmacro %}
