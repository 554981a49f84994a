{#-
    Whether the engine continues from the previous run's tables. DuckDB: yes. Spark: no, every
    build is a full rebuild: its plain Parquet tables have no delete or merge (that needs Delta
    or Iceberg), and the project's incremental design deletes and replaces the rows of changed
    sessions and days, and updates its state tables (docs/scale-out.md).
-#}
{% macro incremental_runs() -%}
    {{ return(adapter.dispatch('incremental_runs', 'sessions')()) }}
{%- endmacro %}

{% macro default__incremental_runs() -%}
    {{ return(true) }}
{%- endmacro %}

{% macro spark__incremental_runs() -%}
    {{ return(false) }}
{%- endmacro %}
