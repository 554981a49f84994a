{#-
    The source registry: the one place that says, per input source, how the project reads it and
    how its events become sessions. Every loop over sources, every per-source lookup (base model,
    files table, path, gap, session boundaries) and the canonical event stream read from here.
    docs/adding-a-source.md walks through adding an entry.

    Each entry (the key is the source's name, as in `source()` and in every mart's `source`
    column):
      staging_model      the stg_<source>__* model holding its valid, deduplicated events
      base_model         the base_<source>__* model holding every input record with a
                         rejection reason (quarantine, reconciliation, loaded_files)
      files_table        the table of its `_<source>__sources.yml` that stands for its files
      file_format        'json' (JSON lines or arrays) or 'parquet': how the reconciliation
                         recounts a file's records
      enabled_var, path_var, gap_var
                         the vars (declared in dbt_project.yml) that switch it on, point it at
                         files and set its inactivity gap in seconds
      session_start_event_type, session_end_event_type
                         the boundary rule: an event of the first type always opens a session,
                         the event after one of the second type opens the next (none: gap only)
      has_anonymous_ids  its events may carry an anonymous id to stitch to a user id
      canonical_columns  its staging model's expression for each canonical event column (see
                         canonical_event_columns); columns left out are null
-#}
{% macro source_registry() -%}
    {%- set registry = {} -%}

    {%- do registry.update({'chat': {
        'staging_model': 'stg_chat__messages',
        'base_model': 'base_chat__message_lines',
        'files_table': 'message_files',
        'file_format': 'json',
        'enabled_var': 'chat_enabled',
        'path_var': 'chat_events_path',
        'gap_var': 'chat_inactivity_seconds',
        'session_start_event_type': none,
        'session_end_event_type': none,
        'has_anonymous_ids': false,
        'canonical_columns': {
            'event_id': 'event_id',
            'user_id': 'user_id',
            'event_time': 'event_time',
            'event_name': 'event_name',
            'event_type': 'event_name',
            'channel_id': 'channel_id',
            'file_name': 'file_name',
            'line_number': 'line_number',
            '_loaded_at': '_loaded_at',
        },
    }}) -%}

    {%- do registry.update({'segment': {
        'staging_model': 'stg_segment__events',
        'base_model': 'base_segment__event_records',
        'files_table': 'event_files',
        'file_format': 'json',
        'enabled_var': 'segment_enabled',
        'path_var': 'segment_events_path',
        'gap_var': 'segment_inactivity_seconds',
        'session_start_event_type': none,
        'session_end_event_type': none,
        'has_anonymous_ids': true,
        'canonical_columns': {
            'event_id': 'event_id',
            'user_id': 'user_id',
            'anonymous_id': 'anonymous_id',
            'event_time': 'event_time',
            'event_name': 'event_name',
            'event_type': 'event_type',
            'page': 'page',
            'referrer': 'referrer',
            'campaign': 'campaign',
            'device_type': 'device_type',
            'browser': 'browser',
            'os': 'os',
            'screen_size': 'screen_size',
            'properties': 'properties',
            'file_name': 'file_name',
            'line_number': 'line_number',
            '_loaded_at': '_loaded_at',
        },
    }}) -%}

    {%- do registry.update({'mooc': {
        'staging_model': 'stg_mooc__interactions',
        'base_model': 'base_mooc__interaction_rows',
        'files_table': 'interaction_files',
        'file_format': 'parquet',
        'enabled_var': 'mooc_enabled',
        'path_var': 'mooc_interactions_path',
        'gap_var': 'mooc_inactivity_seconds',
        'session_start_event_type': none,
        'session_end_event_type': none,
        'has_anonymous_ids': false,
        'canonical_columns': {
            'event_id': 'event_id',
            'user_id': 'user_id',
            'event_time': 'event_time',
            'event_name': "'interaction'",
            'event_type': "'interaction'",
            'item_id': 'item_id',
            'properties': sessions.json_object_of([
                ('watch_percentage', 'watch_percentage', 'value'), ('rating', 'rating', 'value'),
            ]),
            'file_name': 'file_name',
            'line_number': 'line_number',
            '_loaded_at': '_loaded_at',
        },
    }}) -%}

    {%- do registry.update({'app': {
        'staging_model': 'stg_app__events',
        'base_model': 'base_app__event_lines',
        'files_table': 'event_files',
        'file_format': 'json',
        'enabled_var': 'app_enabled',
        'path_var': 'app_events_path',
        'gap_var': 'app_inactivity_seconds',
        'session_start_event_type': 'session_start',
        'session_end_event_type': 'session_end',
        'has_anonymous_ids': false,
        'canonical_columns': {
            'event_id': 'event_id',
            'user_id': 'user_id',
            'event_time': 'event_time',
            'event_name': 'event_type',
            'event_type': 'event_type',
            'page': 'page',
            'referrer': 'referrer',
            'campaign': 'campaign',
            'device_type': 'device_type',
            'browser': 'browser',
            'os': 'os',
            'screen_size': 'screen_size',
            'workflow_id': 'workflow_id',
            'session_end_reason': 'reason',
            'client_session_id': 'session_id',
            'properties': sessions.json_object_of([
                ('action', 'action_name', 'value'), ('details', 'details', 'json'),
            ]),
            'file_name': 'file_name',
            'line_number': 'line_number',
            '_loaded_at': '_loaded_at',
        },
    }}) -%}

    {{ return(registry) }}
{%- endmacro %}
