"""Every multi-source mart built by dbt equals the plain-Python reference (reference_sources.py)
on generated segment / mooc / app / chat inputs, row for row and column for column."""

from __future__ import annotations

import itertools
import json
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
from conftest import DbtProject
from generators import (
    SITE_DOMAINS,
    generate_app_records,
    generate_chat_records,
    generate_mooc_rows,
    generate_segment_records,
    write_app_files,
    write_chat_records,
    write_mooc_files,
    write_segment_files,
)
from reference_sources import (
    FEATURE_PAIRS_MIN_SUPPORT,
    USER_SESSION_COLUMNS,
    Reference,
    SourceInputs,
    build_reference,
    feature_pair_counts,
    feature_pairs,
    hourly_activity,
    read_json_records,
)

Key = tuple[Any, ...]
SEED_SEGMENT_EXAMPLE = [
    {
        "type": "identify",
        "userId": "user_001",
        "messageId": "m-1",
        "timestamp": "2024-01-01T09:00:00Z",
    },
    {
        "type": "track",
        "event": "Signup Completed",
        "userId": "user_001",
        "messageId": "m-2",
        "timestamp": "2024-01-01T09:02:00Z",
    },
    {
        "type": "track",
        "event": "Login",
        "userId": "user_001",
        "messageId": "m-3",
        "timestamp": "2024-01-02T08:30:00Z",
    },
    {
        "type": "track",
        "event": "Feature Used",
        "userId": "user_001",
        "messageId": "m-4",
        "timestamp": "2024-01-02T08:35:00Z",
    },
    {
        "type": "track",
        "event": "Feature Used",
        "anonymousId": "anon_456",
        "messageId": "m-5",
        "timestamp": "2024-01-02T10:00:00Z",
    },
    {
        "type": "identify",
        "userId": "user_002",
        "messageId": "m-6",
        "timestamp": "2024-01-02T10:05:00Z",
    },
]


# --------------------------------------------------------------------------------------------
# Building and reading
# --------------------------------------------------------------------------------------------


@dataclass
class Built:
    project: DbtProject
    reference: Reference
    workdir: Path

    def rows(self, sql: str) -> list[dict[str, Any]]:
        with duckdb.connect(str(self.project.warehouse), read_only=True) as connection:
            connection.execute("set TimeZone = 'UTC'")
            cursor = connection.execute(sql)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def session_keys(self) -> dict[str, Key]:
        """session_id -> (source, user_id, client_session_id, session_number), from
        user_sessions."""
        rows = self.rows(
            "select session_id, source, user_id, client_session_id, session_number"
            " from user_sessions"
        )
        return {r["session_id"]: _session_key(r) for r in rows}


def _json_files(folder: Path) -> list[tuple[str, list[Any]]]:
    return [(str(path), read_json_records(path)) for path in sorted(folder.iterdir())]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """One dbt build of every source on generated data, and the reference on the same files."""
    workdir = tmp_path_factory.mktemp("sources")
    rng = random.Random(20240309)
    chat = generate_chat_records(rng)
    write_chat_records(chat, workdir / "chat")
    write_segment_files(generate_segment_records(rng), workdir / "segment", rng)
    write_app_files(generate_app_records(rng), workdir / "app", rng)
    _write_feature_sessions(workdir / "app")
    mooc = generate_mooc_rows(rng)
    write_mooc_files(mooc, workdir / "mooc", rng)

    project = DbtProject(workdir)
    project.build(
        {
            "chat_events_path": str(workdir / "chat" / "*.jsonl"),
            "segment_events_path": str(workdir / "segment" / "*"),
            "mooc_interactions_path": str(workdir / "mooc" / "*.parquet"),
            "app_events_path": str(workdir / "app" / "*.jsonl"),
            "export_dir": str(workdir / "exports"),
            "site_domains": SITE_DOMAINS,
            "chat_enabled": True,
            "segment_enabled": True,
            "mooc_enabled": True,
            "app_enabled": True,
        }
    )
    # The reference reads the segment and app files back as written (read order = file name,
    # then position), independently of the generators' in-memory records.
    inputs = SourceInputs(
        chat=chat,
        segment=_json_files(workdir / "segment"),
        mooc=mooc,
        app=_json_files(workdir / "app"),
    )
    return Built(project, build_reference(inputs, site_domains=SITE_DOMAINS), workdir)


# --------------------------------------------------------------------------------------------
# Comparing
# --------------------------------------------------------------------------------------------


def _same(expected: Any, actual: Any) -> bool:
    """Equality that is strict on types where the spec fixes them, exact on rounded numbers."""
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, bool):
        return isinstance(actual, bool) and actual == expected
    if isinstance(expected, Decimal):
        return isinstance(actual, int | float | Decimal) and Decimal(str(actual)) == expected
    if isinstance(expected, float):
        return isinstance(actual, int | float | Decimal) and abs(float(actual) - expected) < 1e-6
    if isinstance(expected, int):
        return isinstance(actual, int) and not isinstance(actual, bool) and actual == expected
    if isinstance(expected, datetime):
        return isinstance(actual, datetime) and actual == expected
    if isinstance(expected, date):
        return isinstance(actual, date) and actual == expected
    return type(actual) is type(expected) and actual == expected


def _compare(
    mart: str,
    expected: Mapping[Key, Mapping[str, Any]],
    actual: Mapping[Key, Mapping[str, Any]],
    columns: Iterable[str],
    limit: int = 25,
) -> list[str]:
    """Readable differences between two keyed row sets."""
    problems: list[str] = []
    for key in sorted(set(expected) - set(actual), key=repr)[:limit]:
        problems.append(f"{mart}: missing row {key}: expected {dict(expected[key])}")
    for key in sorted(set(actual) - set(expected), key=repr)[:limit]:
        problems.append(f"{mart}: unexpected row {key}: {dict(actual[key])}")
    columns = list(columns)
    for key in sorted(set(expected) & set(actual), key=repr):
        for column in columns:
            want, got = expected[key][column], actual[key][column]
            if not _same(want, got):
                problems.append(f"{mart} {key} {column}: expected {want!r}, actual {got!r}")
    return problems[: limit * 4]


def _keyed(rows: Iterable[Mapping[str, Any]], key: Callable[[Mapping[str, Any]], Key]) -> dict:
    result: dict[Key, Mapping[str, Any]] = {}
    for row in rows:
        assert key(row) not in result, f"duplicate key {key(row)}"
        result[key(row)] = row
    return result


def _frozen(value: Any) -> Any:
    """Parsed JSON as a hashable value that compares as the JSON does (5 == 5.0)."""
    if isinstance(value, Mapping):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value


def _session_key(row: Mapping[str, Any]) -> Key:
    """A session's key: sessions are cut per source, user and client session."""
    return (row["source"], row["user_id"], row["client_session_id"], row["session_number"])


# --------------------------------------------------------------------------------------------
# The generated data set
# --------------------------------------------------------------------------------------------


def test_generated_data_is_rich(built: Built) -> None:
    reference = built.reference
    by_source = Counter(event.source for event in reference.events)
    assert len(reference.events) > 5000
    assert all(by_source[source] > 500 for source in ("chat", "segment", "mooc", "app"))
    exit_reasons = Counter(row.exit_reason for row in reference.user_sessions)
    assert {"timeout", "error", "logout", "navigation", "unspecified"} <= set(exit_reasons)
    entry_sources = Counter(row.entry_source for row in reference.user_sessions)
    assert {"direct", "internal", "external"} <= set(entry_sources)
    patterns = Counter(row.pattern for row in reference.user_session_patterns)
    assert set(patterns) == {"power_user", "quick_checker", "struggling_user", "regular_user"}
    # The spec's SessionPattern: every type (each with all its indicators fired), every confidence.
    kinds = Counter(
        (row.session_pattern, row.pattern_confidence) for row in reference.user_session_patterns
    )
    assert {kind for kind, _ in kinds} == {"power_user", "explorer", "task_focused", "confused"}
    assert {str(confidence) for _, confidence in kinds} == {"0.00", "0.33", "0.67", "1.00"}
    assert {kind for kind, confidence in kinds if confidence == 1} == {
        "power_user",
        "explorer",
        "task_focused",
        "confused",
    }
    # Every indicator of every type fires for some user: 12 texts, their numbers aside.
    fired = {
        (row.session_pattern, re.sub(r"[0-9.]+", "N", text))
        for row in reference.user_session_patterns
        for text in row.pattern_indicators
    }
    assert len(fired) == 12, sorted(fired)
    app_sessions = [row for row in reference.user_sessions if row.source == "app"]
    assert sum(row.exit_last_action is not None for row in app_sessions) > 100
    assert sum(row.exit_last_action is None for row in app_sessions) > 10
    assert sum(bool(row.completed_workflow_count) for row in app_sessions) > 10
    assert sum(row.repeated_page_view_count > 0 for row in reference.user_sessions) > 10
    gaps = [row.seconds_since_previous_session for row in reference.session_events]
    assert sum(gap is not None for gap in gaps) > 500
    assert 0 in gaps  # a session cut by session_start / session_end at the previous instant
    # Concurrent client sessions (tabs) of one user: sessions whose times overlap.
    app = sorted(
        (row for row in reference.user_sessions if row.source == "app"),
        key=lambda row: (row.user_id, row.start_time),
    )
    overlapping = sum(
        1
        for earlier, later in itertools.pairwise(app)
        if earlier.user_id == later.user_id and later.start_time < earlier.end_time
    )
    assert overlapping > 10


def test_user_sessions_match_reference(built: Built) -> None:
    actual = built.rows(f"select session_id, {', '.join(USER_SESSION_COLUMNS)} from user_sessions")
    ids = [row["session_id"] for row in actual]
    assert None not in ids
    assert len(set(ids)) == len(ids), "session_id is not unique"
    expected = _keyed((asdict(row) for row in built.reference.user_sessions), _session_key)
    problems = _compare(
        "user_sessions", expected, _keyed(actual, _session_key), USER_SESSION_COLUMNS
    )
    assert not problems, "\n".join(problems)


def test_session_events_map_events_to_the_reference_sessions(built: Built) -> None:
    keys = built.session_keys()
    actual = built.rows("select * from session_events")
    expected = [asdict(row) for row in built.reference.session_events]
    assert len(actual) == len(expected)
    for row in actual:
        # session_id is the user_sessions key of the event's session: its key must agree.
        assert _session_key(row) == keys[row["session_id"]]
        row["properties"] = None if row["properties"] is None else json.loads(row["properties"])

    # Events whose id the spec fixes (app event_id, segment messageId): every column.
    columns = [
        "session_number",
        "anonymous_id",
        "event_time",
        "event_name",
        "event_category",
        "page",
        "event_number_in_session",
        "seconds_since_previous_event",
        "properties",
        "seconds_since_previous_session",
    ]
    assert set(actual[0]) == {
        "session_id",
        "source",
        "user_id",
        "client_session_id",
        "event_id",
        *columns,
    }
    known = [row for row in expected if row["event_id"] is not None]
    assert len(known) > 4000

    def by_id(row: Mapping[str, Any]) -> Key:
        return (row["source"], row["user_id"], row["event_id"])

    actual_known = _keyed((row for row in actual if by_id(row) in {by_id(e) for e in known}), by_id)
    problems = _compare("session_events", _keyed(known, by_id), actual_known, columns)
    assert not problems, "\n".join(problems)

    # Every event (content-hash ids too): the same multiset of contents per session, and per
    # session the same (number, time, seconds since previous) sequence.
    def content(row: Mapping[str, Any]) -> Key:
        return (
            *_session_key(row),
            row["event_time"],
            row["event_name"],
            row["event_category"],
            row["page"],
            row["anonymous_id"],
            _frozen(row["properties"]),
        )

    assert Counter(map(content, actual)) == Counter(map(content, expected))

    def positions(row: Mapping[str, Any]) -> Key:
        since = row["seconds_since_previous_event"]
        gap = row["seconds_since_previous_session"]
        return (
            *_session_key(row),
            row["event_number_in_session"],
            row["event_time"],
            None if since is None else round(float(since), 6),
            None if gap is None else round(float(gap), 6),
        )

    assert sorted(map(positions, actual), key=repr) == sorted(map(positions, expected), key=repr)


def test_daily_session_stats_match_reference(built: Built) -> None:
    expected = [asdict(row) for row in built.reference.daily_session_stats]
    columns = [column for column in expected[0] if column not in ("date", "source")]
    actual = built.rows("select * from daily_session_stats")

    def key(row: Mapping[str, Any]) -> Key:
        return (row["date"], row["source"])

    problems = _compare("daily_session_stats", _keyed(expected, key), _keyed(actual, key), columns)
    assert not problems, "\n".join(problems)


def test_session_size_stats_match_reference(built: Built) -> None:
    expected = [asdict(row) for row in built.reference.session_size_stats]
    columns = [column for column in expected[0] if column != "source"]
    actual = built.rows("select * from session_size_stats")

    def key(row: Mapping[str, Any]) -> Key:
        return (row["source"],)

    problems = _compare("session_size_stats", _keyed(expected, key), _keyed(actual, key), columns)
    assert not problems, "\n".join(problems)


def test_user_session_patterns_match_reference(built: Built) -> None:
    expected = [asdict(row) for row in built.reference.user_session_patterns]
    columns = [column for column in expected[0] if column not in ("source", "user_id")]
    actual = built.rows("select * from user_session_patterns")

    def key(row: Mapping[str, Any]) -> Key:
        return (row["source"], row["user_id"])

    problems = _compare(
        "user_session_patterns", _keyed(expected, key), _keyed(actual, key), columns
    )
    assert not problems, "\n".join(problems)


def test_abandoned_workflows_match_reference(built: Built) -> None:
    keys = built.session_keys()
    # A workflow_started without workflow_id has no (session_id, workflow_id) to report.
    actual = built.rows("select * from abandoned_workflows where workflow_id is not null")
    for row in actual:
        assert _session_key(row) == keys[row["session_id"]]
    expected = [asdict(row) for row in built.reference.abandoned_workflows]
    assert len(expected) > 50

    def key(row: Mapping[str, Any]) -> Key:
        return (*_session_key(row), row["workflow_id"])

    problems = _compare(
        "abandoned_workflows", _keyed(expected, key), _keyed(actual, key), ["started_at", "status"]
    )
    assert not problems, "\n".join(problems)
    # The hand-written workflow edges (generators.py) get the status the rules give them.
    status = {(row["user_id"], row["workflow_id"]): row["status"] for row in actual}
    assert status[("app_failed", "wf_fails")] == "failed"
    assert status[("app_failed", "wf_quit")] == "abandoned"  # the error came before its start
    assert status[("app_open_workflow", "wf_open")] == "in_progress"  # open, despite the error
    assert status[("app_not_last", "wf_left")] == "abandoned"  # a later session follows
    assert set(status.values()) == {"abandoned", "failed", "in_progress"}


def test_active_sessions_match_reference(built: Built) -> None:
    keys = built.session_keys()
    actual = built.rows("select * from active_sessions")
    for row in actual:
        assert keys[row["session_id"]] == _session_key(row)
    expected = [asdict(row) for row in built.reference.active_sessions]
    columns = ["start_time", "end_time", "event_count", "as_of", "seconds_since_last_event"]
    problems = _compare(
        "active_sessions", _keyed(expected, _session_key), _keyed(actual, _session_key), columns
    )
    assert not problems, "\n".join(problems)
    # The hand-written edges around `as_of - gap` are all decided as the spec says.
    active = {row["user_id"] for row in actual}
    assert {"app_active_edge", "seg_active_edge", "mooc_active_edge", "chat_active_edge"} <= active
    assert not {"app_inactive_edge", "seg_inactive_edge", "mooc_inactive_edge"} & active
    assert not {"chat_inactive_edge", "app_ended"} & active
    # Only a stream's last session can be open, even with its last event within the gap.
    numbers = {row["session_number"] for row in actual if row["user_id"] == "app_not_last"}
    assert numbers == {2}
    # active_sessions is user_sessions' is_open, and an open session has no exit_reason yet.
    open_ids = {
        row["session_id"]
        for row in built.rows("select session_id from user_sessions where is_open")
    }
    assert open_ids == {row["session_id"] for row in actual}
    reasons = built.rows(
        "select count(*) as n from user_sessions where is_open and exit_reason is not null"
    )
    assert reasons == [{"n": 0}]


def test_mooc_session_stats_match_reference(built: Built) -> None:
    keys = built.session_keys()
    actual = built.rows("select * from mooc_session_stats")
    for row in actual:
        source, user_id, client_session_id, number = keys[row["session_id"]]
        assert (source, user_id, client_session_id) == ("mooc", row["user_id"], None)
        assert row["session_number"] == number
    expected = [asdict(row) for row in built.reference.mooc_session_stats]
    columns = [column for column in expected[0] if column not in ("user_id", "session_number")]

    def key(row: Mapping[str, Any]) -> Key:
        return (row["user_id"], row["session_number"])

    problems = _compare("mooc_session_stats", _keyed(expected, key), _keyed(actual, key), columns)
    assert not problems, "\n".join(problems)
    # The means of each value's decimal, not of values rounded first (see generate_mooc_rows).
    edges = {row["user_id"]: row["avg_watch_percentage"] for row in actual}
    assert (edges["mooc_decimals_0"], edges["mooc_decimals_1"]) == (Decimal("33.34"), Decimal("0"))


def test_mooc_export_holds_every_interaction_with_its_session(built: Built) -> None:
    path = built.workdir / "exports" / "mooc_sessions.parquet"
    table = pq.read_table(path)
    assert {"user_id", "item_id", "ts_epoch", "session_id", "watch_percentage", "rating"} <= set(
        table.column_names
    )
    keys = built.session_keys()
    actual = Counter(
        (
            row["user_id"],
            row["item_id"],
            row["ts_epoch"],
            keys[row["session_id"]],
            row["watch_percentage"],
            row["rating"],
        )
        for row in table.to_pylist()
    )
    expected = Counter()
    for session in built.reference.sessions:
        for event in session.events:
            if event.source == "mooc":
                row = built.reference.mooc_rows_by_event[id(event)]
                expected[
                    (
                        str(row.user_id),
                        str(row.item_id),
                        row.ts_epoch,
                        session.key,
                        row.watch_percentage,
                        row.rating,
                    )
                ] += 1
    assert table.num_rows == sum(expected.values())
    assert actual == expected


def test_quarantined_reasons_of_the_new_sources(built: Built) -> None:
    actual = built.rows(
        "select source, rejection_reason, count(*) as n from quarantined_events"
        " where rejection_reason in ('unknown_event_type', 'missing_user_id')"
        " group by all"
    )
    expected = Counter((r.source, r.reason) for r in built.reference.rejections)
    assert {(row["source"], row["rejection_reason"]): row["n"] for row in actual} == dict(expected)


# --------------------------------------------------------------------------------------------
# The spec's six-event segment example, with every other source disabled
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def segment_only(tmp_path_factory: pytest.TempPathFactory) -> Built:
    workdir = tmp_path_factory.mktemp("segment_only")
    (workdir / "segment").mkdir()
    (workdir / "segment" / "seed.json").write_text(json.dumps(SEED_SEGMENT_EXAMPLE, indent=2))
    project = DbtProject(workdir)
    project.build(
        {
            "segment_events_path": str(workdir / "segment" / "*"),
            "export_dir": str(workdir / "exports"),
            "chat_enabled": False,
            "segment_enabled": True,
            "mooc_enabled": False,
            "app_enabled": False,
        }
    )
    inputs = SourceInputs(segment=_json_files(workdir / "segment"))
    return Built(project, build_reference(inputs), workdir)


def test_seed_segment_example(segment_only: Built) -> None:
    actual = segment_only.rows(
        "select user_id, session_number, event_count, start_time, end_time, duration_seconds,"
        " action_count, is_bounce from user_sessions order by user_id, session_number"
    )
    sessions = [(row["user_id"], row["session_number"], row["event_count"]) for row in actual]
    assert sessions == [
        ("anon_456", 1, 1),
        ("user_001", 1, 2),
        ("user_001", 2, 2),
        ("user_002", 1, 1),
    ]
    expected = _keyed((asdict(row) for row in segment_only.reference.user_sessions), _session_key)
    rows = segment_only.rows(f"select {', '.join(USER_SESSION_COLUMNS)} from user_sessions")
    problems = _compare("user_sessions", expected, _keyed(rows, _session_key), USER_SESSION_COLUMNS)
    assert not problems, "\n".join(problems)


def test_disabled_sources_leave_no_rows(segment_only: Built) -> None:
    counts = segment_only.rows(
        "select source, count(*) as n from user_sessions group by source order by source"
    )
    assert counts == [{"source": "segment", "n": 4}]
    events = segment_only.rows("select distinct source from session_events")
    assert events == [{"source": "segment"}]
    assert segment_only.rows("select count(*) as n from mooc_session_stats") == [{"n": 0}]
    assert segment_only.rows("select distinct source from session_size_stats") == [
        {"source": "segment"}
    ]
    # as_of defaults to the latest event of the enabled sources only.
    as_of = segment_only.rows("select distinct as_of from active_sessions")
    assert as_of == [{"as_of": segment_only.reference.as_of}]


def test_only_app_enabled_builds_without_the_other_inputs(tmp_path: Path) -> None:
    """Disabled sources are never read: their paths may point at nothing."""
    rng = random.Random(5)
    # Any text is a valid session_end reason, and becomes the exit_reason as it is.
    records = generate_app_records(rng, users=10, reasons=("tab_closed", "Logout", "idle 5 min"))
    write_app_files(records, tmp_path / "app", rng, files=1)
    missing = str(tmp_path / "does_not_exist" / "*")
    project = DbtProject(tmp_path)
    project.build(
        {
            "chat_events_path": missing,
            "segment_events_path": missing,
            "mooc_interactions_path": missing + ".parquet",
            "app_events_path": str(tmp_path / "app" / "*.jsonl"),
            "export_dir": str(tmp_path / "exports"),
            "chat_enabled": False,
            "segment_enabled": False,
            "mooc_enabled": False,
            "app_enabled": True,
        }
    )
    built = Built(
        project, build_reference(SourceInputs(app=_json_files(tmp_path / "app"))), tmp_path
    )
    assert built.rows("select distinct source from user_sessions") == [{"source": "app"}]
    assert built.rows("select distinct source from daily_session_stats") == [{"source": "app"}]
    expected = _keyed((asdict(row) for row in built.reference.user_sessions), _session_key)
    rows = built.rows(f"select {', '.join(USER_SESSION_COLUMNS)} from user_sessions")
    problems = _compare("user_sessions", expected, _keyed(rows, _session_key), USER_SESSION_COLUMNS)
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------------------------
# When and what together (hourly_activity, feature_pairs)
# --------------------------------------------------------------------------------------------

# App sessions of one user (sent at +05:30, around midnight) using "zoom" and "été" together
# 12 times (support above the minimum; "été" sorts after "zoom" byte by byte), and once
# "export_pdf" with "share_link" (below it).
FEATURE_SESSIONS = 12


def _write_feature_sessions(folder: Path) -> None:
    lines = []
    for number in range(FEATURE_SESSIONS):
        actions = ["zoom", "été"] + (["export_pdf", "share_link"] if number == 0 else [])
        for step, action in enumerate(["<start>", *actions]):
            moment = f"2024-03-05T{(22 + 2 * number) % 24:02d}:{50 + step}:00+05:30"
            day = 5 + (22 + 2 * number) // 24
            record: dict[str, Any] = {
                "event_id": f"feature-{number}-{step}",
                "user_id": "app_features",
                "timestamp": moment.replace("2024-03-05", f"2024-03-{day:02d}"),
                "event_type": "session_start" if action == "<start>" else "action",
            }
            if action != "<start>":
                record["action"] = action
            lines.append(json.dumps(record, ensure_ascii=False))
    (folder / "app_99_features.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_hourly_activity_matches_reference(built: Built) -> None:
    expected = [asdict(row) for row in hourly_activity(built.reference.sessions)]
    assert len(expected) > 100

    def key(row: Mapping[str, Any]) -> Key:
        return (row["source"], row["utc_weekday"], row["utc_hour"])

    columns = ["sessions_started", "active_users", "events"]
    actual = built.rows("select * from hourly_activity")
    problems = _compare("hourly_activity", _keyed(expected, key), _keyed(actual, key), columns)
    assert not problems, "\n".join(problems)


def test_feature_pairs_match_reference(built: Built) -> None:
    counts = feature_pair_counts(built.reference.sessions)
    assert set(counts) == {"app", "segment"}
    threshold = Fraction(FEATURE_PAIRS_MIN_SUPPORT)
    supports = [
        Fraction(both, total) for total, _, pairs in counts.values() for both in pairs.values()
    ]
    # The generated data has pairs on both sides of the minimum support.
    assert sum(support < threshold for support in supports) >= 3
    assert sum(support >= threshold for support in supports) >= 10
    expected = [asdict(row) for row in feature_pairs(built.reference.sessions)]

    def key(row: Mapping[str, Any]) -> Key:
        return (row["source"], row["action_a"], row["action_b"])

    columns = [column for column in expected[0] if column not in ("source", "action_a", "action_b")]
    actual = _keyed(built.rows("select * from feature_pairs"), key)
    problems = _compare("feature_pairs", _keyed(expected, key), actual, columns)
    assert not problems, "\n".join(problems)
    assert ("app", "zoom", "été") in actual
    assert ("app", "export_pdf", "share_link") not in actual
