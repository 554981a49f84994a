{#-
    The materialization of a base model that reads JSON input files: dbt-duckdb's incremental
    materialization, preceded by making the records of the files this run loads (every file
    matched by the model's one source on a full refresh; otherwise the files not loaded before
    and the new lines of JSON-lines files that grew; see files_to_load) readable as
    file_records_relation(). The records are streamed from the files by sessions_ingest.records
    (Python, in dbt's process): no file is read whole, only complete lines are read, and DuckDB
    parses them on every core as they arrive. On a full refresh the Python side runs the load
    plan itself, so a landing folder of many files never passes through Jinja.
-#}
{% materialization incremental_files, adapter='duckdb' %}
    {%- set source_name, table_name = sessions.incremental_files_source() -%}
    {%- set input = source(source_name, table_name) -%}
    {%- set path_var = sessions.source_entry(source_name).path_var -%}
    {#- The listing, by Python (faster than DuckDB's for many files): the load plan reads it. -#}
    {#- Each Python statement spells dbt-duckdb's module frame (model, materialize, dbtObj) in
        full: dbt runs a Python statement only when the materialization calls it itself, not
        from a macro, so the frame cannot be given a name. -#}
    {%- set listing = this.identifier ~ '__listed_files' -%}
    {% call statement('listed_files', language='python') -%}
from sessions_ingest.listing import register_listing


def model(dbt, session):
    register_listing(session, {{ tojson(listing) }}, {{ tojson(var(path_var)) }})
    return session.sql("select 1")


def materialize(df, con):
    pass


class dbtObj:
    def __init__(self, load_df_function):
        pass
    {%- endcall %}
    {%- set to_load = sessions.files_to_load(input, path_var, list_all=false, listing=listing) -%}
    {% call statement('file_records', language='python') -%}
import json

from sessions_ingest.records import register_planned_loads


def model(dbt, session):
    register_planned_loads(
        session,
        {{ tojson(sessions.file_records_relation()) }},
        json.loads({{ tojson(tojson(to_load.loads)) }}),
        {{ tojson(to_load.plan) }},
        {{ tojson(source_name) }},
    )
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
    {%- set to_load = sessions.files_to_load(source(source_name, table_name), path_var, list_all=false) -%}
    {%- do sessions.spark_register_file_records(sessions.file_records_relation(), path_var) -%}
    {{ return(materialization_table_spark()) }}
{% endmaterialization %}
