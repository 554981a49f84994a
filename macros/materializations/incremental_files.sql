{#-
    The materialization of a base model that reads JSON input files: dbt-duckdb's incremental
    materialization, preceded by making the records of the files this run loads (every file
    matched by the model's one source on a full refresh, the files not loaded before otherwise;
    see files_to_load) readable as file_records_relation(). The records are streamed from the
    files by sessions_ingest.records (Python, in dbt's process): no file is read whole, and
    DuckDB parses them on every core as they arrive.
-#}
{% materialization incremental_files, adapter='duckdb' %}
    {%- set source_name, table_name = sessions.incremental_files_source() -%}
    {%- set input = source(source_name, table_name) -%}
    {%- set path_var = sessions.source_entry(source_name).path_var -%}
    {%- set files = sessions.files_to_load(input, path_var) -%}
    {% call statement('file_records', language='python') -%}
from sessions_ingest.records import register


def model(dbt, session):
    register(session, {{ tojson(sessions.file_records_relation()) }}, {{ tojson(files) }})
    return session.sql("select 1")


def materialize(df, con):
    pass


class dbtObj:
    def __init__(self, load_df_function):
        pass
    {%- endcall %}
    {{ return(materialization_incremental_duckdb()) }}
{% endmaterialization %}

{#-
    Spark: the same contract, read by Spark itself (see spark_register_file_records), then built
    as a table: every Spark build is a full rebuild (see incremental_runs).
-#}
{% materialization incremental_files, adapter='spark' %}
    {%- set source_name, table_name = sessions.incremental_files_source() -%}
    {%- set path_var = sessions.source_entry(source_name).path_var -%}
    {%- set files = sessions.files_to_load(source(source_name, table_name), path_var) -%}
    {%- do sessions.spark_register_file_records(sessions.file_records_relation(), path_var) -%}
    {{ return(materialization_table_spark()) }}
{% endmaterialization %}
