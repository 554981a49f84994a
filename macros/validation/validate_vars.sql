{#-
    Stops the run, before anything is read or written, when a var has a value the project cannot
    use: a gap that is not a positive number, an enabled flag (or test_whole_history) that is not
    a boolean, a path that is not text, site_domains that is not a list of host names, an as_of
    that is not a timestamp, or a var given on the command line that the project does not know
    (e.g. a misspelt source). Called by the on-run-start hook.
-#}
{% macro validate_vars() -%}
    {#- Checked when the hook runs, not while dbt parses: then every problem is listed at once. -#}
    {%- if not execute -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set sources = ['chat', 'segment', 'mooc', 'app'] -%}
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

    {%- for source_name in sources -%}
        {%- set gap = var(source_name ~ '_inactivity_seconds') -%}
        {%- if gap is not number or gap is sameas true or gap is sameas false or gap <= 0 -%}
            {%- do problems.append(
                source_name ~ "_inactivity_seconds must be a positive number of seconds, got: " ~ gap
            ) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- for name in ['chat_enabled', 'segment_enabled', 'mooc_enabled', 'app_enabled', 'test_whole_history'] -%}
        {%- if var(name) is not sameas true and var(name) is not sameas false -%}
            {%- do problems.append(name ~ " must be true or false, got: " ~ var(name)) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- for name in ['chat_events_path', 'segment_events_path', 'mooc_interactions_path', 'app_events_path', 'export_dir'] -%}
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

    {%- for name in [
        'bounce_max_duration_seconds', 'bounce_max_actions', 'pattern_session_window',
        'power_user_min_avg_duration_seconds', 'power_user_min_avg_actions',
        'quick_checker_max_avg_duration_seconds', 'struggling_user_min_errors',
    ] -%}
        {%- set value = var(name) -%}
        {%- if value is not number or value is sameas true or value is sameas false or value < 0 -%}
            {%- do problems.append(name ~ " must be a number of at least 0, got: " ~ value) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- if var('as_of') is not none -%}
        {%- set parsed = run_query("select try_cast('" ~ (var('as_of') | string | replace("'", "''")) ~ "' as timestamp with time zone)") -%}
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
