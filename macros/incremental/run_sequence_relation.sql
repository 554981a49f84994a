{#-
    The run sequence: the one clock of every incremental model. The on-run-start hook
    (append_run_sequence) appends a row per dbt invocation to the state table run_sequence:
    its number and its stamp, a time strictly later than every earlier run's stamp: the run's
    start time, or one microsecond after the latest stamp when the machine's clock is behind it
    (a clock set back, or runs from two hosts). Every row a run writes is stamped with it
    (`_loaded_at`, `_sessionized_at`, `_computed_at`, the marts' watermarks), so "rows stamped
    after the latest one I applied" never skips a later run's rows, whatever the clocks did.
-#}
{% macro run_sequence_relation() -%}
    {{ return(api.Relation.create(database=target.database, schema='intermediate', identifier='run_sequence')) }}
{%- endmacro %}
