{#-
    Every var the project reads: each registered source's enabled, path and gap vars (see
    source_registry) and the project-wide ones below, all declared with their defaults in the
    `vars:` of dbt_project.yml. A var given on the command line that is not in this list stops
    the run: it would otherwise be silently ignored. tests/python/test_project_vars.py checks
    that this list and dbt_project.yml agree.
-#}
{% macro known_vars() -%}
    {%- set names = [
        'site_domains', 'bounce_max_duration_seconds', 'bounce_max_actions',
        'pattern_session_window', 'power_user_min_avg_duration_seconds',
        'power_user_min_avg_actions', 'quick_checker_max_avg_duration_seconds',
        'struggling_user_min_errors', 'as_of', 'export_dir',
        'session_pattern_power_min_avg_actions', 'session_pattern_power_min_avg_duration_seconds',
        'session_pattern_power_min_sessions', 'session_pattern_explorer_min_avg_distinct_pages',
        'session_pattern_explorer_max_repeat_share',
        'session_pattern_explorer_min_avg_duration_seconds',
        'session_pattern_task_min_completion_share', 'session_pattern_task_max_avg_distinct_pages',
        'session_pattern_task_max_avg_duration_seconds', 'session_pattern_confused_min_avg_errors',
        'session_pattern_confused_min_repeat_share',
        'session_pattern_confused_max_completion_share',
        'max_record_bytes', 'future_tolerance_seconds', 'quarantine_warn_ratio',
        'quarantine_error_ratio', 'test_whole_history', 'retention_days',
        'feature_pairs_min_support',
    ] -%}
    {%- for entry in sessions.source_registry().values() -%}
        {%- do names.extend([entry.enabled_var, entry.path_var, entry.gap_var]) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}
