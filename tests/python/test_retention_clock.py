"""Retention by the clock: the cut is the var as_of (else now) minus retention_days, whatever
the data holds. An old history replayed with one current event keeps its sessions within
retention_days of as_of; the sessions kept equal a plain-Python selection for any as_of and
retention_days; after the cut, the collector's ended sessions and the landing files loaded whole
with every event before it are removed (`python -m sessions_retention`), and nothing else."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import PROJECT_DIR, DbtProject, sample_inputs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collector.store import Session, SessionStore

AS_OF = datetime(2024, 3, 6, 12, tzinfo=UTC)
APP_ONLY = {"chat_enabled": False, "segment_enabled": False, "mooc_enabled": False}


def app_lines(events: Iterable[tuple[str, str, str, str]]) -> str:
    return "".join(
        json.dumps({"event_id": i, "event_type": t, "timestamp": ts, "user_id": u, "page": "/p"})
        + "\n"
        for i, t, ts, u in events
    )


def kept_by_reference(sessions: Iterable[tuple[str, datetime]], cut: datetime) -> set[str]:
    """The plain-Python rule: a session stays when it ended at or after the cut."""
    return {session_id for session_id, end in sessions if end >= cut}


def test_a_replayed_history_with_one_current_event_keeps_its_window(tmp_path: Path) -> None:
    project = DbtProject(tmp_path / "wh")
    variables = {**sample_inputs(tmp_path), **APP_ONLY}
    now = datetime.now(UTC).replace(microsecond=0)
    (tmp_path / "input" / "app" / "current.jsonl").write_text(
        app_lines([("current_1", "page_view", now.isoformat(), "usr_current")])
    )
    project.build(variables)
    sessions = project.query("select session_id, end_time from user_sessions")
    [(current,)] = project.query(
        "select session_id from user_sessions where user_id = 'usr_current'"
    )
    expected = kept_by_reference(sessions, AS_OF - timedelta(days=1))
    history = expected - {current}
    assert history and len(expected) < len(sessions), "the sample must straddle the cut"

    retention = {**variables, "retention_days": 1, "as_of": AS_OF.isoformat()}
    project.dbt_ok("run-operation", "apply_retention", variables=retention)
    assert {sid for (sid,) in project.query("select session_id from user_sessions")} == expected
    [(logged,)] = project.query("select expires_before from retention_runs")
    assert logged == AS_OF - timedelta(days=1)
    project.dbt_ok("test", "--exclude-resource-type", "unit_test", variables=retention)

    # Without as_of the clock counts: the 2024 history is past any day of retention, the
    # current session is not.
    project.dbt_ok("run-operation", "apply_retention", variables={**variables, "retention_days": 1})
    assert project.query("select session_id from user_sessions") == [(current,)]


@pytest.fixture(scope="module")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("sample")
    project = DbtProject(root / "wh")
    variables = sample_inputs(root)
    project.build(variables)
    return project.warehouse, variables


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    as_of=st.datetimes(
        min_value=datetime(2016, 11, 1), max_value=datetime(2024, 3, 9), timezones=st.just(UTC)
    ),
    days=st.integers(min_value=1, max_value=40),
)
def test_the_sessions_kept_are_those_a_plain_cut_keeps(
    sample_warehouse: tuple[Path, dict], as_of: datetime, days: int
) -> None:
    warehouse, variables = sample_warehouse
    with tempfile.TemporaryDirectory() as workdir:
        project = DbtProject(Path(workdir))
        shutil.copy(warehouse, project.warehouse)
        sessions = project.query("select session_id, end_time from user_sessions")
        retention = {**variables, "retention_days": days, "as_of": as_of.isoformat()}
        project.dbt_ok("run-operation", "apply_retention", variables=retention)
        kept = {sid for (sid,) in project.query("select session_id from user_sessions")}
        assert kept == kept_by_reference(sessions, as_of - timedelta(days=days))


def run_cleanup(project: DbtProject, landing: Path) -> subprocess.CompletedProcess:
    """`python -m sessions_retention` as `make retention` runs it."""
    env = {
        **os.environ,
        "SESSIONS_DUCKDB_PATH": str(project.warehouse),
        "SESSIONS_COLLECTOR_LANDING_DIR": str(landing),
    }
    env.pop("SESSIONS_COLLECTOR_STATE_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "sessions_retention"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def store_session(store: SessionStore, session_id: str, started: str, ended: str | None) -> None:
    store.create(
        Session(session_id, "usr", None, "/", None, None, started, started, None, None),
        f"{session_id}/start",
    )
    if ended is not None:
        store.end(session_id, "session_end", ended)


def test_landing_files_and_collector_sessions_before_the_cut_go(tmp_path: Path) -> None:
    landing = tmp_path / "landing" / "app"
    landing.mkdir(parents=True)
    old = "2024-03-01T10:00:00+00:00"
    recent = "2024-03-06T11:00:00+00:00"  # after the cut (2024-03-05 12:00)
    files = {
        "events-old.jsonl": [("o1", "session_start", old, "u1"), ("o2", "action", old, "u1")],
        "events-recent.jsonl": [("r1", "page_view", old, "u2"), ("r2", "page_view", recent, "u2")],
        "events-grown.jsonl": [("g1", "page_view", old, "u3")],
    }
    for name, events in files.items():
        (landing / name).write_text(app_lines(events))
    (landing / "events-bad-time.jsonl").write_text(
        app_lines([("b1", "page_view", old, "u4"), ("b2", "page_view", "yesterday", "u4")])
    )
    project = DbtProject(tmp_path / "wh")
    variables = {
        **APP_ONLY,
        "app_events_path": str(landing / "*.jsonl"),
        "export_dir": str(tmp_path / "exports"),
        "retention_days": 1,
        "as_of": AS_OF.isoformat(),
    }
    project.build(variables)
    # After the build: a file not loaded yet, one that grew, and the collector's open file.
    (landing / "events-late.jsonl").write_text(app_lines([("l1", "page_view", old, "u5")]))
    with (landing / "events-grown.jsonl").open("a") as grown:
        grown.write(app_lines([("g2", "page_view", old, "u3")]))
    (landing / ".events-open.jsonl.part").write_text(app_lines([("p1", "page_view", old, "u6")]))
    store = SessionStore(tmp_path / "landing" / ".collector" / "sessions.sqlite3")
    store_session(
        store, "ended-old", "2024-03-01T10:00:00.000000+00:00", "2024-03-05T11:59:59.999999+00:00"
    )
    store_session(
        store,
        "ended-at-cut",
        "2024-03-05T11:00:00.000000+00:00",
        "2024-03-05T12:00:00.000000+00:00",
    )
    store_session(store, "open-old", "2024-03-01T10:00:00.000000+00:00", None)
    store.close()

    project.dbt_ok("run-operation", "apply_retention", variables=variables)
    result = run_cleanup(project, landing)

    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(path.name for path in landing.iterdir()) == [
        ".events-open.jsonl.part",
        "events-bad-time.jsonl",
        "events-grown.jsonl",
        "events-late.jsonl",
        "events-recent.jsonl",
    ]
    store = SessionStore(tmp_path / "landing" / ".collector" / "sessions.sqlite3")
    assert store.get("ended-old") is None
    assert store.get("ended-at-cut") is not None
    assert store.get("open-old") is not None
    store.close()
    assert "removed 1 ended sessions" in result.stdout and "1 landing files" in result.stdout


@settings(max_examples=40, deadline=None)
@given(
    ends=st.lists(
        st.one_of(
            st.none(),
            st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2024, 2, 1)),
        ),
        max_size=12,
    ),
    cut=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2024, 2, 1)),
)
def test_the_store_keeps_open_sessions_and_those_ended_at_or_after_the_cut(
    ends: list[datetime | None], cut: datetime
) -> None:
    from sessions_retention import remove_ended_sessions, utc_text

    cut = cut.replace(tzinfo=UTC)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "sessions.sqlite3"
        store = SessionStore(path)
        start = utc_text(datetime(2023, 12, 31, tzinfo=UTC))
        for number, end in enumerate(ends):
            ended = None if end is None else utc_text(end.replace(tzinfo=UTC))
            store_session(store, f"s{number}", start, ended)
        store.close()
        removed = remove_ended_sessions(path, cut)
        store = SessionStore(path)
        left = {f"s{n}" for n in range(len(ends)) if store.get(f"s{n}") is not None}
        store.close()
    expected = {
        f"s{n}" for n, end in enumerate(ends) if end is None or end.replace(tzinfo=UTC) >= cut
    }
    assert left == expected
    assert removed == len(ends) - len(expected)
