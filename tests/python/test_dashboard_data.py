"""The dashboard's data layer (dashboard/data.py, dashboard/live.py) on export files written here:
its KPIs, lists and distributions equal a plain-Python computation over the same rows (hypothesis
draws the sessions and the filter), the export folder's states (no build yet, a broken manifest,
a file replaced mid-read) give their errors, and the collector client against a real HTTP server
on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.data import (
    DURATION_BUCKETS,
    MARTS,
    ExportError,
    Filter,
    NoBuildYet,
    Snapshot,
)
from dashboard.live import CollectorConfig, CollectorUnavailable, active_by_source, fetch_active

SOURCES = ("app", "chat", "mooc", "segment")
FIRST_DAY = datetime(2024, 3, 1, tzinfo=UTC)
TS = pa.timestamp("us", tz="UTC")
SESSION_SCHEMA = pa.schema(
    [
        ("session_id", pa.string()),
        ("source", pa.string()),
        ("user_id", pa.string()),
        ("session_number", pa.int64()),
        ("start_time", TS),
        ("end_time", TS),
        ("duration_seconds", pa.int32()),
        ("event_count", pa.int64()),
        ("action_count", pa.int64()),
        ("error_count", pa.int64()),
        ("entry_page", pa.string()),
        ("exit_page", pa.string()),
        ("exit_reason", pa.string()),
        ("is_bounce", pa.bool_()),
    ]
)
# The other marts, with the columns the data layer reads.
OTHER_SCHEMAS = {
    "daily_session_stats": pa.schema(
        [
            ("date", pa.date32()),
            ("source", pa.string()),
            ("total_sessions", pa.int64()),
            ("unique_users", pa.int64()),
            ("avg_duration_seconds", pa.decimal128(18, 2)),
            ("bounce_rate", pa.decimal128(5, 2)),
            ("error_rate", pa.decimal128(5, 2)),
            ("most_common_entry", pa.string()),
            ("most_common_exit", pa.string()),
        ]
    ),
    "session_size_stats": pa.schema(
        [
            ("source", pa.string()),
            ("sessions", pa.int64()),
            ("min_events", pa.int64()),
            ("max_events", pa.int64()),
            ("mean_events", pa.decimal128(18, 2)),
            ("median_events", pa.decimal128(18, 2)),
        ]
    ),
    "user_session_patterns": pa.schema(
        [("source", pa.string()), ("user_id", pa.string()), ("pattern", pa.string())]
    ),
    "active_sessions": pa.schema(
        [("session_id", pa.string()), ("source", pa.string()), ("as_of", TS)]
    ),
    "quarantined_events": pa.schema([("source", pa.string()), ("rejection_reason", pa.string())]),
    "loaded_files": pa.schema([("source", pa.string()), ("file_name", pa.string())]),
    "run_stats": pa.schema([("invocation_id", pa.string()), ("run_started_at", TS)]),
    "hourly_activity": pa.schema(
        [
            ("source", pa.string()),
            ("utc_weekday", pa.int32()),
            ("utc_hour", pa.int32()),
            ("sessions_started", pa.int64()),
            ("active_users", pa.int64()),
            ("events", pa.int64()),
        ]
    ),
    "abandoned_workflows": pa.schema(
        [
            ("session_id", pa.string()),
            ("source", pa.string()),
            ("user_id", pa.string()),
            ("workflow_id", pa.string()),
            ("started_at", TS),
            ("status", pa.string()),
        ]
    ),
    "feature_pairs": pa.schema(
        [
            ("source", pa.string()),
            ("action_a", pa.string()),
            ("action_b", pa.string()),
            ("sessions_with_both", pa.int64()),
            ("support", pa.decimal128(5, 4)),
            ("confidence_a_to_b", pa.decimal128(5, 4)),
            ("confidence_b_to_a", pa.decimal128(5, 4)),
            ("lift", pa.decimal128(18, 2)),
        ]
    ),
}

sessions_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "source": st.sampled_from(SOURCES),
            "user_id": st.sampled_from(["1", "01", "u1", "u2", "u3"]),
            "start_offset": st.integers(0, 6 * 86400),
            "duration_seconds": st.integers(0, 3 * 3600),
            "event_count": st.integers(1, 60),
            "errors": st.integers(0, 3),
            "entry_page": st.sampled_from([None, "/", "/docs", "/pricing"]),
            "exit_page": st.sampled_from([None, "/", "/docs", "/logout"]),
            "exit_reason": st.sampled_from(["logout", "timeout", "error"]),
        }
    ),
    max_size=40,
)


def _session_rows(drawn: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sessions as user_sessions holds them (error counts and exit reasons only for app)."""
    rows = []
    for index, session in enumerate(drawn):
        start = FIRST_DAY + timedelta(seconds=session["start_offset"])
        is_app = session["source"] == "app"
        actions = session["event_count"] - 1
        rows.append(
            {
                "session_id": f"s{index}",
                "source": session["source"],
                "user_id": session["user_id"],
                "session_number": index + 1,
                "start_time": start,
                "end_time": start + timedelta(seconds=session["duration_seconds"]),
                "duration_seconds": session["duration_seconds"],
                "event_count": session["event_count"],
                "action_count": actions,
                "error_count": session["errors"] if is_app else None,
                "entry_page": session["entry_page"],
                "exit_page": session["exit_page"],
                "exit_reason": session["exit_reason"] if is_app else None,
                "is_bounce": session["duration_seconds"] < 30 and actions <= 1,
            }
        )
    return rows


def write_exports(
    directory: Path, sessions: list[dict[str, Any]], others: dict[str, list[dict]] | None = None
) -> None:
    """Export files as a build writes them: one Parquet file per mart, the manifest last."""
    directory.mkdir(parents=True, exist_ok=True)
    tables = {"user_sessions": pa.Table.from_pylist(sessions, schema=SESSION_SCHEMA)}
    for mart, schema in OTHER_SCHEMAS.items():
        tables[mart] = pa.Table.from_pylist((others or {}).get(mart, []), schema=schema)
    files = {}
    for mart, table in tables.items():
        pq.write_table(table, directory / f"{mart}.parquet")
        files[f"{mart}.parquet"] = {
            "mart": mart,
            "file_format": "parquet",
            "rows": table.num_rows,
            "written_at": "2024-03-08T00:00:00Z",
        }
    latest = max((row["end_time"] for row in sessions), default=None)
    manifest = {
        "exported_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "data_through": None if latest is None else latest.isoformat(),
        "files": files,
    }
    (directory / "manifest.json").write_text(json.dumps(manifest))


def _selected(rows: list[dict[str, Any]], selection: Filter) -> list[dict[str, Any]]:
    return [
        row
        for row in rows
        if selection.start <= row["start_time"].date() <= selection.end
        and row["source"] in selection.sources
    ]


def _percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else 100 * part / whole


filters = st.builds(
    lambda first, length, sources: Filter(
        FIRST_DAY.date() + timedelta(days=first),
        FIRST_DAY.date() + timedelta(days=first + length),
        tuple(sources),
    ),
    st.integers(-1, 6),
    st.integers(0, 7),
    st.lists(st.sampled_from(SOURCES), unique=True),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(drawn=sessions_strategy, selection=filters)
def test_views_equal_a_plain_python_computation(
    tmp_path_factory: pytest.TempPathFactory, drawn: list[dict[str, Any]], selection: Filter
) -> None:
    sessions = _session_rows(drawn)
    directory = tmp_path_factory.mktemp("exports")
    write_exports(directory, sessions)
    snapshot = Snapshot.load(directory)
    chosen = _selected(sessions, selection)

    kpis = snapshot.kpis(selection)
    assert kpis.sessions == len(chosen)
    assert snapshot.daily_total(selection) == 0  # this test writes no daily_session_stats row
    assert kpis.unique_users == len({row["user_id"] for row in chosen})
    durations = [row["duration_seconds"] for row in chosen]
    expected_avg = sum(durations) / len(durations) if durations else None
    assert kpis.avg_duration_seconds == pytest.approx(expected_avg)
    bounces = sum(row["is_bounce"] for row in chosen)
    assert kpis.bounce_rate == pytest.approx(_percent(bounces, len(chosen)))
    recorded = [row for row in chosen if row["error_count"] is not None]
    with_errors = sum(row["error_count"] > 0 for row in recorded)
    assert kpis.error_rate == pytest.approx(_percent(with_errors, len(recorded)))

    for column in ("entry_page", "exit_page", "exit_reason"):
        counts = Counter(row[column] for row in chosen if row[column] is not None)
        expected = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:10]
        actual = [(row["value"], row["sessions"]) for row in snapshot.top_values(selection, column)]
        assert actual == expected, column

    sizes = Counter((row["source"], row["event_count"]) for row in chosen)
    assert {
        (row["source"], row["event_count"]): row["sessions"]
        for row in snapshot.event_count_distribution(selection)
    } == dict(sizes)

    def bucket(seconds: int) -> str:
        return [label for label, lower in DURATION_BUCKETS if seconds >= lower][-1]

    buckets = Counter((row["source"], bucket(row["duration_seconds"])) for row in chosen)
    assert {
        (row["source"], row["duration"]): row["sessions"]
        for row in snapshot.duration_distribution(selection)
    } == dict(buckets)

    for user in {row["user_id"] for row in sessions}:
        timeline = snapshot.user_timeline(user)
        mine = sorted(
            (row for row in sessions if row["user_id"] == user),
            key=lambda row: (row["start_time"], row["source"]),
        )
        assert [row["session_id"] for row in timeline] == [row["session_id"] for row in mine]
        assert [row["action_count"] for row in timeline] == [row["action_count"] for row in mine]


def test_daily_rows_and_whole_history_marts_are_passed_through(tmp_path: Path) -> None:
    day = date(2024, 3, 2)
    daily = [
        {"date": day - timedelta(days=1), "source": "app", "total_sessions": 3},
        {"date": day, "source": "app", "total_sessions": 4, "bounce_rate": Decimal("12.50")},
        {"date": day, "source": "chat", "total_sessions": 5, "error_rate": None},
    ]
    as_of = datetime(2024, 3, 2, 12, tzinfo=UTC)
    others: dict[str, list[dict]] = {
        "daily_session_stats": daily,
        "user_session_patterns": [
            {"source": "app", "user_id": "1", "pattern": "power_user"},
            {"source": "app", "user_id": "2", "pattern": "power_user"},
            {"source": "chat", "user_id": "1", "pattern": "quick_checker"},
        ],
        "active_sessions": [
            {"session_id": "a", "source": "app", "as_of": as_of},
            {"session_id": "b", "source": "app", "as_of": as_of},
            {"session_id": "c", "source": "mooc", "as_of": as_of},
        ],
        "quarantined_events": [
            {"source": "app", "rejection_reason": "invalid_json"},
            {"source": "app", "rejection_reason": "invalid_json"},
            {"source": "chat", "rejection_reason": "missing_user_id"},
        ],
    }
    write_exports(tmp_path, [], others)
    snapshot = Snapshot.load(tmp_path)
    rows = snapshot.daily(Filter(day, day, ("app",)))
    assert [(row["date"], row["total_sessions"], row["bounce_rate"]) for row in rows] == [
        (day, 4, 12.5)
    ]
    assert snapshot.patterns(("app",)) == [{"source": "app", "pattern": "power_user", "users": 2}]
    assert snapshot.active_by_source() == ({"app": 2, "mooc": 1}, as_of)
    assert snapshot.quarantine_by_reason()[0] == {
        "source": "app",
        "rejection_reason": "invalid_json",
        "records": 2,
    }
    # Days whose sessions retention removed: the filters offer them, the KPIs count none.
    assert snapshot.date_bounds() == (day - timedelta(days=1), day)
    assert snapshot.sources() == ["app", "chat"]
    assert snapshot.kpis(Filter(day, day, SOURCES)).sessions == 0
    assert snapshot.daily_total(Filter(day, day, SOURCES)) == 9


def test_no_sessions_at_all(tmp_path: Path) -> None:
    write_exports(tmp_path, [])
    snapshot = Snapshot.load(tmp_path)
    assert (snapshot.date_bounds(), snapshot.sources()) == (None, [])


def test_no_build_yet_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(NoBuildYet, match=r"No build yet.*make build"):
        Snapshot.load(tmp_path / "exports")


def test_a_broken_manifest_or_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    write_exports(tmp_path, [])
    (tmp_path / "run_stats.parquet").unlink()
    with pytest.raises(ExportError, match=r"Cannot read the exports .*run_stats\.parquet"):
        Snapshot.load(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    del manifest["files"]["loaded_files.parquet"]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ExportError, match=r"lists no loaded_files\.parquet"):
        Snapshot.load(tmp_path)
    (tmp_path / "manifest.json").write_text('{"files": ')
    with pytest.raises(ExportError, match="not a valid export manifest"):
        Snapshot.load(tmp_path)


def test_a_file_of_another_build_is_never_shown(tmp_path: Path) -> None:
    """A file whose rows differ from the manifest's (a build replaced it after the manifest was
    read, and has not written its own manifest yet) is not taken as part of the snapshot."""
    sessions = _session_rows([{**d, "start_offset": 0} for d in [_drawn_session()]])
    write_exports(tmp_path, sessions)
    assert Snapshot.load(tmp_path).kpis(Filter(date.min, date.max, SOURCES)).sessions == 1
    newer = tmp_path / "newer"
    write_exports(newer, sessions * 2)
    (newer / "user_sessions.parquet").replace(tmp_path / "user_sessions.parquet")
    with pytest.raises(ExportError, match="kept changing while being read"):
        Snapshot.load(tmp_path)
    assert set(MARTS) <= {path.stem for path in tmp_path.glob("*.parquet")}


def _drawn_session() -> dict[str, Any]:
    return {
        "source": "app",
        "user_id": "1",
        "start_offset": 0,
        "duration_seconds": 60,
        "event_count": 3,
        "errors": 1,
        "entry_page": "/",
        "exit_page": "/",
        "exit_reason": "logout",
    }


# --- the collector's live view ----------------------------------------------------------------
class _Collector(BaseHTTPRequestHandler):
    answer: bytes = b"[]"
    status: int = 200

    def do_GET(self) -> None:
        authorized = self.headers.get("Authorization") == "Bearer read-key"
        ok = self.path == "/api/v1/sessions/active?limit=10000" and authorized
        self.send_response(self.status if ok else 401)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.answer)

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def collector_server(answer: Any) -> Iterator[str]:
    """A stand-in collector on a free 127.0.0.1 port answering `answer` (as JSON, or bytes as
    they are) to the read key."""
    body = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
    handler = type("Handler", (_Collector,), {"answer": body})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_collector_counts_active_sessions_by_source() -> None:
    answer = {"sessions": [{"source": "app"}, {"source": "chat"}, {"session_id": "s1"}], "count": 3}
    with collector_server(answer) as url:
        counts, _asked_at = fetch_active(CollectorConfig(url + "/", "read-key"))
        assert counts == {"app": 2, "chat": 1}
        with pytest.raises(CollectorUnavailable, match="HTTP 401"):
            fetch_active(CollectorConfig(url, "wrong-key"))
    for answer, problem in ((b"<html>", "not JSON"), ({"count": 3}, "no list of sessions")):
        with collector_server(answer) as url, pytest.raises(CollectorUnavailable, match=problem):
            fetch_active(CollectorConfig(url, "read-key"))


def test_a_collector_that_is_down_is_unavailable() -> None:
    with collector_server([]) as url:
        pass
    with pytest.raises(CollectorUnavailable, match="cannot be reached"):
        fetch_active(CollectorConfig(url, "read-key"))


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ({"count": 1, "sessions": [{"source": "app"}]}, {"app": 1}),
        ({"sessions": [{"source": "mooc"}, {"source": "mooc"}, {}]}, {"mooc": 2, "app": 1}),
        ({"count": 0, "sessions": []}, {}),
    ],
)
def test_answer_shapes(answer: Any, expected: dict[str, int]) -> None:
    assert active_by_source(answer) == expected


def test_an_answer_without_sessions_is_refused() -> None:
    for answer in ({"count": 3}, [{"source": "app"}], {"sessions": "none"}):
        with pytest.raises(CollectorUnavailable, match="no list of sessions"):
            active_by_source(answer)


def test_collector_config_needs_both_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESSIONS_COLLECTOR_URL", "http://127.0.0.1:8000/")
    monkeypatch.delenv("SESSIONS_COLLECTOR_READ_KEY", raising=False)
    assert CollectorConfig.from_environment() is None
    monkeypatch.setenv("SESSIONS_COLLECTOR_READ_KEY", "k")
    assert CollectorConfig.from_environment() == CollectorConfig("http://127.0.0.1:8000", "k")


workflows_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "source": st.sampled_from(SOURCES),
            "workflow_id": st.sampled_from(["checkout", "signup", "export"]),
            # Around midnight UTC, so the day a workflow counts on is the UTC one.
            "started_at": st.datetimes(
                min_value=datetime(2024, 3, 1), max_value=datetime(2024, 3, 4)
            ).map(lambda moment: moment.replace(tzinfo=UTC)),
            "status": st.sampled_from(["abandoned", "failed", "in_progress"]),
        }
    ),
    max_size=30,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    workflows=workflows_strategy,
    first=st.dates(date(2024, 3, 1), date(2024, 3, 4)),
    days=st.integers(0, 3),
    sources=st.lists(st.sampled_from(SOURCES), min_size=1, unique=True),
)
def test_unfinished_workflows_by_status_workflow_and_day_equal_plain_counts(
    tmp_path: Path,
    workflows: list[dict[str, Any]],
    first: date,
    days: int,
    sources: list[str],
) -> None:
    """The Unfinished workflows tab's three counts: per status, per workflow and status, per
    UTC start day and status, for the filter's days and sources."""
    directory = tmp_path / f"exports_{next(_unfinished_examples)}"
    rows = [
        {**row, "session_id": f"s{index}", "user_id": "u"} for index, row in enumerate(workflows)
    ]
    write_exports(directory, [], {"abandoned_workflows": rows})
    snapshot = Snapshot.load(directory)
    selection = Filter(first, first + timedelta(days=days), tuple(sources))
    chosen = [
        row
        for row in rows
        if row["source"] in sources and selection.start <= row["started_at"].date() <= selection.end
    ]
    assert snapshot.unfinished_by_status(selection) == dict(
        Counter(row["status"] for row in chosen)
    )
    by_workflow = Counter((row["workflow_id"], row["status"]) for row in chosen)
    assert {
        (row["workflow_id"], row["status"]): row["workflows"]
        for row in snapshot.unfinished_by_workflow(selection)
    } == dict(by_workflow)
    by_day = Counter((row["started_at"].date(), row["status"]) for row in chosen)
    shown = snapshot.unfinished_by_day(selection)
    assert {(row["date"], row["status"]): row["workflows"] for row in shown} == dict(by_day)
    assert [(row["date"], row["status"]) for row in shown] == sorted(by_day)


_unfinished_examples = iter(range(10**9))
