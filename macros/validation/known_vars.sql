{#-
    Every var the project reads (the `vars:` of dbt_project.yml). A var given on the command line
    that is not in this list stops the run: it would otherwise be silently ignored.
    tests/python/test_vars.py checks that this list and dbt_project.yml agree.
-#}
{% macro known_vars() -%}
    {{ return([
        'chat_enabled', 'segment_enabled', 'mooc_enabled', 'app_enabled',
        'chat_events_path', 'segment_events_path', 'mooc_interactions_path', 'app_events_path',
        'chat_inactivity_seconds', 'segment_inactivity_seconds', 'mooc_inactivity_seconds',
        'app_inactivity_seconds',
        'site_domains', 'bounce_max_duration_seconds', 'bounce_max_actions',
        'pattern_session_window', 'power_user_min_avg_duration_seconds',
        'power_user_min_avg_actions', 'quick_checker_max_avg_duration_seconds',
        'struggling_user_min_errors', 'as_of', 'export_dir',
        'max_record_bytes', 'future_tolerance_seconds', 'quarantine_warn_ratio',
        'quarantine_error_ratio', 'test_whole_history',
    ]) }}
{%- endmacro %}
