"""A session mart's columns never change silently: the session marts use dbt's incremental
materialization (strategy session_ranges), so `on_schema_change: fail` holds for them. A column
added to a mart (its SQL and its contract, as a user would) fails the next incremental run with
dbt's schema-change error and leaves the mart as it was; a full refresh then builds it."""

from __future__ import annotations

from pathlib import Path

from conftest import DbtProject, copy_project, dbt_output, replace_once, sample_inputs

NEW_COLUMN = """      - name: messages_per_event
        description: A column added after the mart was built.
        data_type: double
"""


def add_a_column_to_chat_sessions(project_dir: Path) -> None:
    replace_once(
        project_dir / "models/marts/chat_sessions.sql",
        "        top_channels.top_channel_messages\n    from sessions",
        "        top_channels.top_channel_messages,\n"
        "        sessions.total_messages / sessions.event_count as messages_per_event\n"
        "    from sessions",
    )
    replace_once(
        project_dir / "models/marts/_marts__models.yml",
        "        description: Messages sent in the top channel during the session.\n"
        "        data_type: bigint\n",
        "        description: Messages sent in the top channel during the session.\n"
        "        data_type: bigint\n" + NEW_COLUMN,
    )


def test_a_column_added_to_a_session_mart_fails_the_incremental_run(tmp_path: Path) -> None:
    project_dir = copy_project(tmp_path / "project")
    variables = sample_inputs(tmp_path)
    (tmp_path / "work").mkdir()
    project = DbtProject(
        tmp_path / "work", project_dir=project_dir, profiles_dir=project_dir / "profiles"
    )
    project.build(variables, "--select", "+chat_sessions")
    sessions_before = project.query("select * from chat_sessions order by session_id")
    assert sessions_before

    add_a_column_to_chat_sessions(project_dir)
    result = project.dbt(
        "build",
        "--exclude-resource-type",
        "unit_test",
        "--select",
        "chat_sessions",
        variables=variables,
    )
    assert result.returncode != 0, dbt_output(result)
    assert "out of sync" in result.stdout, dbt_output(result)
    assert "messages_per_event" in result.stdout, dbt_output(result)
    assert project.query("select * from chat_sessions order by session_id") == sessions_before

    project.build(variables, "--full-refresh", "--select", "chat_sessions")
    columns = project.query(
        "select column_name from information_schema.columns where table_name = 'chat_sessions'"
    )
    assert ("messages_per_event",) in columns
