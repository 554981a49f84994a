{#-
    Spark: the project's incremental models are rebuilt whole on every run. dbt-spark's own
    incremental strategies on plain Parquet tables are append and insert_overwrite; the models
    here delete and replace the rows of changed sessions, users and days (delete+insert), which
    needs Delta or Iceberg (docs/scale-out.md). With incremental_runs() false every model's
    SQL selects its whole result, and this builds it as a table.
-#}
{% materialization incremental, adapter='spark' %}
    {{ return(materialization_table_spark()) }}
{% endmaterialization %}
