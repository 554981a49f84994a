{#-
    A join clause keeping the rows of `relation` (an alias) that belong to a session this run
    rebuilds (`this_run`: the alias of int_sessions_this_run in the model): a semi-join on the
    source, the user, the client session and the session number within a range. `source` is the rows' source (an
    expression: a column, or a literal for a mart of one source); `client_session_key` the rows'
    client session key (default: their client_session_key column; '' for a mart of a source
    without client sessions). `stamp`, the rows' run stamp
    column (`_sessionized_at` of the sessionized events), keeps only the rows written when the
    range was applied or later: it lets DuckDB skip every older row group of the table (the
    join's bounds reach the scan), so an incremental run reads only the newest events.
-#}
{% macro in_sessions_this_run(relation, this_run, source=none, stamp=none, client_session_key=none) -%}
    {{ sessions.semi_join() }} {{ this_run }}
        on
            {{ this_run }}.source = {{ source or relation ~ '.source' }}
            and {{ this_run }}.user_id = {{ relation }}.user_id
            and {{ this_run }}.client_session_key = {{ client_session_key or relation ~ '.client_session_key' }}
            {%- if stamp %}
            and {{ relation }}.{{ stamp }} >= {{ this_run }}._computed_at
            {%- endif %}
            and {{ sessions.session_in_range(relation ~ '.session_number', this_run) }}
{%- endmacro %}
