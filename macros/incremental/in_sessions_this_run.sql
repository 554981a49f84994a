{#-
    A join clause keeping the rows of `relation` (an alias) that belong to a session this run
    rebuilds (`this_run`: the alias of int_sessions_this_run in the model): a semi-join on the
    source, the user and the session number within a range. `source` is the rows' source (an
    expression: a column, or a literal for a mart of one source). `stamp`, the rows' run stamp
    column (`_sessionized_at` of the sessionized events), keeps only the rows written when the
    range was applied or later: it lets DuckDB skip every older row group of the table (the
    join's bounds reach the scan), so an incremental run reads only the newest events.
-#}
{% macro in_sessions_this_run(relation, this_run, source=none, stamp=none) -%}
    {{ sessions.semi_join() }} {{ this_run }}
        on
            {{ this_run }}.source = {{ source or relation ~ '.source' }}
            and {{ this_run }}.user_id = {{ relation }}.user_id
            {%- if stamp %}
            and {{ relation }}.{{ stamp }} >= {{ this_run }}._computed_at
            {%- endif %}
            and {{ sessions.session_in_range(relation ~ '.session_number', this_run) }}
{%- endmacro %}
