{#-
    Stops the run, before anything is read or written, when a var has a value the project cannot
    use: a gap that is not a positive number (or finer than a microsecond), an enabled flag (or test_whole_history) that is not
    a boolean, a path that is not text, site_domains that is not a list of host names, an as_of
    that is not a timestamp, or a var given on the command line that the project does not know
    (e.g. a misspelt source). Called by the on-run-start hook.
-#}
{% macro validate_vars() -%}
    {#- Checked when the hook runs, not while dbt parses: then every problem is listed at once. -#}
    {%- if not execute -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set registry = sessions.source_registry() -%}
    {%- set sources = registry.keys() | list -%}
    {%- set problems = [] -%}

    {%- set cli_vars = invocation_args_dict.get('vars') or {} -%}
    {%- if cli_vars is string -%}
        {%- set cli_vars = fromyaml(cli_vars) or {} -%}
    {%- endif -%}
    {%- for name in cli_vars if name not in sessions.known_vars() -%}
        {%- set prefix = name.split('_')[0] -%}
        {%- if (name.endswith('_enabled') or name.endswith('_inactivity_seconds') or name.endswith('_path'))
            and prefix not in sources -%}
            {%- do problems.append(
                "unknown source '" ~ prefix ~ "' in var " ~ name ~ " (sources: " ~ sources | join(', ') ~ ")"
            ) -%}
        {%- else -%}
            {%- do problems.append(
                "unknown var " ~ name ~ " (see the vars in dbt_project.yml; misspelt?)"
            ) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- for entry in registry.values() -%}
        {%- set gap = var(entry.gap_var) -%}
        {%- if gap is not number or gap is sameas true or gap is sameas false or gap <= 0 -%}
            {%- do problems.append(
                entry.gap_var ~ " must be a positive number of seconds, got: " ~ gap
            ) -%}
        {%- elif (gap * 1000000 - (gap * 1000000) | round) | abs > 0.000001 -%}
            {#- Event times have microsecond precision: a finer gap could not be applied exactly. -#}
            {%- do problems.append(
                entry.gap_var ~ " must be a whole number of microseconds (at most 6 decimals), got: " ~ gap
            ) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- set boolean_vars = ['test_whole_history'] -%}
    {%- set path_vars = ['export_dir'] -%}
    {%- for entry in registry.values() -%}
        {%- do boolean_vars.append(entry.enabled_var) -%}
        {%- do path_vars.append(entry.path_var) -%}
    {%- endfor -%}
    {%- for name in boolean_vars -%}
        {%- if var(name) is not sameas true and var(name) is not sameas false -%}
            {%- do problems.append(name ~ " must be true or false, got: " ~ var(name)) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- for name in path_vars -%}
        {%- if var(name) is not string or var(name) | trim == '' -%}
            {%- do problems.append(name ~ " must be a path (text), got: " ~ var(name)) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- set domains = var('site_domains') -%}
    {%- if domains is string or domains is mapping or domains is not iterable -%}
        {%- do problems.append("site_domains must be a list of host names, e.g. ['example.com'], got: " ~ domains) -%}
    {%- else -%}
        {%- for domain in domains if domain is not string or domain | trim == '' -%}
            {%- do problems.append("site_domains must hold host names (text), got: " ~ domain) -%}
        {%- endfor -%}
    {%- endif -%}

    {%- set threshold_vars = [] -%}
    {%- for name in sessions.known_vars() if name.startswith('session_pattern_') -%}
        {%- do threshold_vars.append(name) -%}
    {%- endfor -%}
    {%- for name in threshold_vars + [
        'bounce_max_duration_seconds', 'bounce_max_actions', 'pattern_session_window',
        'power_user_min_avg_duration_seconds', 'power_user_min_avg_actions',
        'quick_checker_max_avg_duration_seconds', 'struggling_user_min_errors',
    ] -%}
        {%- set value = var(name) -%}
        {%- if value is not number or value is sameas true or value is sameas false or value < 0 -%}
            {%- do problems.append(name ~ " must be a number of at least 0, got: " ~ value) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- set min_support = var('feature_pairs_min_support') -%}
    {%- if min_support is not number or min_support is sameas true or min_support is sameas false
        or min_support < 0 or min_support > 1 -%}
        {%- do problems.append("feature_pairs_min_support must be a number from 0 to 1, got: " ~ min_support) -%}
    {%- endif -%}

    {%- set retention_problem = sessions.retention_days_problem() -%}
    {%- if retention_problem -%}
        {%- do problems.append(retention_problem) -%}
    {%- endif -%}

    {%- if var('as_of') is not none -%}
        {%- set parsed = run_query("select " ~ sessions.utc_timestamp("'" ~ (var('as_of') | string | replace("'", "''")) ~ "'")) -%}
        {%- if parsed.columns[0].values()[0] is none -%}
            {%- do problems.append("as_of must be an ISO-8601 timestamp (or null), got: " ~ var('as_of')) -%}
        {%- endif -%}
    {%- endif -%}

    {%- if problems | length > 0 -%}
        {{ exceptions.raise_compiler_error(
            "Invalid vars, nothing was run:\n  - " ~ problems | join("\n  - ")
        ) }}
    {%- endif -%}
    select 1
{%- endmacro %}
