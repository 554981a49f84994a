"""The data tests that would read the whole history check what the latest run wrote.

A warehouse is built from two batches of app events (a first build, then an incremental one).
Each test copies it, breaks one invariant either in rows of the first run or in rows of the
latest run, and runs the data test: a break in the latest run's rows fails it, a break only in
older rows fails it with the var test_whole_history (the older rows were checked by their own
build) and passes it without.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import DbtProject, dbt_output

UNIQUE_EVENT_ID = "unique_combination_stg_app__events_event_id___loaded_at"
EVENTS_IN_SESSIONS = "int_events_sessionized,test_name:each_event_in_one_session"
RECONCILIATION = "every_input_record_is_accounted_for"
# u2 has two sessions, both from the first batch; the second batch extends u1's only session.
FIRST_BATCH = [
    ("e1", "page_view", "2024-03-04T07:00:00Z", "u1"),
    ("e2", "action", "2024-03-04T07:05:00Z", "u1"),
    ("e3", "page_view", "2024-03-04T07:00:00Z", "u2"),
    ("e4", "page_view", "2024-03-04T09:00:00Z", "u2"),
    ("e5", "action", "2024-03-04T09:01:00Z", "u2"),
]
SECOND_BATCH = [
    ("e6", "page_view", "2024-03-04T07:10:00Z", "u1"),
    ("e7", "action", "2024-03-04T07:12:00Z", "u1"),
]


def event_lines(events: list[tuple[str, str, str, str]]) -> str:
    return "".join(
        json.dumps(
            {"event_id": event_id, "event_type": kind, "timestamp": at, "user_id": user},
        )
        + "\n"
        for event_id, kind, at, user in events
    )


@dataclass
class TwoRuns:
    """A copy of the two-run warehouse, and its landing folder, for one test to break."""

    project: DbtProject
    landing: Path
    variables: dict[str, Any]

    def execute(self, sql: str) -> None:
        with duckdb.connect(str(self.project.warehouse)) as connection:
            connection.execute("set TimeZone = 'UTC'")
            connection.execute(sql)

    def add_event_of_the_first_run(self, event_time: str, session_id: str | None = None) -> None:
        """A copy of u1's first event, 'e0' at `event_time` (UTC), stamped as sessionized by
        the first run, in u1's session or in `session_id`."""
        session = f"'{session_id}'" if session_id else "session_id"
        # The event's attributes (int_events_sessionized joins them from the staged events).
        self.execute(
            "insert into staging.base_app__event_lines select * replace ("
            f" 'e0' as event_id, timestamp with time zone '{event_time}+00' as event_time)"
            " from staging.base_app__event_lines where event_id = 'e1'"
        )
        self.execute(
            "insert into intermediate.int_event_sessions select * replace ("
            f" 'e0' as event_id, {session} as session_id,"
            f" timestamp with time zone '{event_time}+00' as event_time,"
            " (select min(_sessionized_at) from intermediate.int_event_sessions)"
            " as _sessionized_at)"
            " from intermediate.int_event_sessions where event_id = 'e1'"
        )

    def passes(self, selection: str, whole_history: bool = False) -> bool:
        variables = {**self.variables, "test_whole_history": whole_history}
        # Eager: a selected model's data tests run even when they read other models too (the
        # project's default, buildable, would leave out the tests that also read user_sessions).
        result = self.project.dbt(
            "test", "--select", selection, "--indirect-selection", "eager", variables=variables
        )
        assert "Nothing to do" not in result.stdout, dbt_output(result)
        # A failure must be the data test's finding, not an error running it.
        assert result.returncode == 0 or "Failure in test" in result.stdout, dbt_output(result)
        return result.returncode == 0


def build_two_runs(root: Path) -> None:
    """Under `root`: the landing folder and a warehouse built once per batch."""
    landing = root / "landing"
    (landing / "app").mkdir(parents=True)
    project = DbtProject(root / "project")
    variables = variables_for(landing, root)
    (landing / "app" / "events_1.jsonl").write_text(event_lines(FIRST_BATCH), encoding="utf-8")
    project.build(variables)
    (landing / "app" / "events_2.jsonl").write_text(event_lines(SECOND_BATCH), encoding="utf-8")
    project.build(variables)


@pytest.fixture(scope="module")
def two_runs_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("two_runs")
    build_two_runs(root)
    return root


def variables_for(landing: Path, root: Path) -> dict[str, Any]:
    return {
        "chat_enabled": False,
        "segment_enabled": False,
        "mooc_enabled": False,
        "app_events_path": str(landing / "app" / "*.jsonl"),
        "export_dir": str(root / "exports"),
    }


@pytest.fixture
def two_runs(two_runs_source: Path, tmp_path: Path) -> TwoRuns:
    """A copy of the warehouse (its loaded files stay those of `two_runs_source`)."""
    project = DbtProject(tmp_path / "project")
    project.warehouse.parent.mkdir(parents=True)
    shutil.copyfile(two_runs_source / "project" / "warehouse.duckdb", project.warehouse)
    landing = two_runs_source / "landing"
    return TwoRuns(project, landing, variables_for(landing, two_runs_source))


def test_a_clean_warehouse_passes_either_way(two_runs: TwoRuns) -> None:
    for selection in (UNIQUE_EVENT_ID, EVENTS_IN_SESSIONS):
        assert two_runs.passes(selection)
        assert two_runs.passes(selection, whole_history=True)


def test_an_event_id_of_the_latest_run_equal_to_an_older_one_fails(two_runs: TwoRuns) -> None:
    two_runs.execute(
        "insert into staging.base_app__event_lines select * replace ("
        " (select max(_loaded_at) from staging.base_app__event_lines) as _loaded_at)"
        " from staging.base_app__event_lines where event_id = 'e1'"
    )
    assert not two_runs.passes(UNIQUE_EVENT_ID)


def test_a_duplicate_among_older_runs_fails_only_the_whole_history(two_runs: TwoRuns) -> None:
    two_runs.execute(
        "insert into staging.base_app__event_lines"
        " select * from staging.base_app__event_lines where event_id = 'e3'"
    )
    assert two_runs.passes(UNIQUE_EVENT_ID)
    assert not two_runs.passes(UNIQUE_EVENT_ID, whole_history=True)


def test_a_session_of_the_latest_run_that_misses_its_first_event_fails(two_runs: TwoRuns) -> None:
    two_runs.execute(
        "update main.user_sessions set start_time = start_time + interval 1 second"
        " where user_id = 'u1'"
    )
    assert not two_runs.passes(EVENTS_IN_SESSIONS)


def test_a_session_of_the_latest_run_grown_over_an_older_event_fails(two_runs: TwoRuns) -> None:
    # An event of u1 from the first run, outside u1's session, now strictly inside it.
    two_runs.add_event_of_the_first_run("2024-03-04 07:11:00", session_id="older")
    assert not two_runs.passes(EVENTS_IN_SESSIONS)


def test_an_older_event_outside_a_session_of_the_latest_run_fails(two_runs: TwoRuns) -> None:
    # An event of the first run kept in u1's session (written by the latest run), after its end.
    two_runs.add_event_of_the_first_run("2024-03-04 08:00:00")
    assert not two_runs.passes(EVENTS_IN_SESSIONS)


def test_an_older_session_grown_over_the_next_fails_only_the_whole_history(
    two_runs: TwoRuns,
) -> None:
    two_runs.execute(
        "update main.user_sessions set end_time = end_time + interval 1 day"
        " where user_id = 'u2' and session_number = 1"
    )
    assert two_runs.passes(EVENTS_IN_SESSIONS)
    assert not two_runs.passes(EVENTS_IN_SESSIONS, whole_history=True)


def test_a_record_missing_from_a_file_fails_if_the_latest_load_or_the_whole_history_has_it(
    tmp_path: Path,
) -> None:
    # Its own warehouse and landing folder: the files it changes are those the warehouse loaded.
    build_two_runs(tmp_path)
    landing = tmp_path / "landing"
    files = TwoRuns(DbtProject(tmp_path / "project"), landing, variables_for(landing, tmp_path))
    assert files.passes(RECONCILIATION)
    assert files.passes(RECONCILIATION, whole_history=True)

    with (landing / "app" / "events_1.jsonl").open("a", encoding="utf-8") as file:
        file.write(event_lines([("e9", "action", "2024-03-04T07:06:00Z", "u1")]))
    assert files.passes(RECONCILIATION)
    assert not files.passes(RECONCILIATION, whole_history=True)

    with (landing / "app" / "events_2.jsonl").open("a", encoding="utf-8") as file:
        file.write(event_lines([("e8", "action", "2024-03-04T07:13:00Z", "u1")]))
    assert not files.passes(RECONCILIATION)
