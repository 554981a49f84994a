"""Incremental builds equal a full refresh.

Input files arrive in batches (the landing folders only grow, file names increase with the
batch). After each batch `dbt build` runs incrementally on warehouse A; at the end `dbt build
--full-refresh` runs on warehouse B over the same files with the same vars, and every mart of A
must hold exactly the rows of B (multisets, every column). The batches deliberately hold the
cases that make incremental sessionization hard: events arriving days late inside an old session,
a late event bridging two old sessions (they merge), an event before a user's first session
(session numbers shift), re-sent copies of app event ids and Segment messageIds, identical chat
lines and MOOC rows in different batches (two events each), and a Segment anonymousId paired with
a userId only in a later batch (its earlier anonymous sessions move to the user).

run_stats is checked too: one row per run, with the files, records, events and late events that
a plain-Python model of the batches (reference_sources.py) expects.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import DbtProject
from generators import (
    SOURCES_START,
    app_visit_records,
    generate_mooc_rows,
    random_chat_events,
    segment_people_records,
    spell_timestamp,
)
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from reference_sources import (
    Event,
    MoocRow,
    app_canonical_events,
    chat_canonical_events,
    mooc_canonical_events,
    parse_timestamp,
    segment_canonical_events,
)

from sessions_testkit.mart_diff import mart_differences

# Vars that let a build pass whatever share of a run's records is quarantined.
ALLOW_ANY_QUARANTINE_SHARE = {"quarantine_warn_ratio": 1, "quarantine_error_ratio": 1}
EXAMPLES = int(os.environ.get("SESSIONS_INCREMENTAL_EXAMPLES", "3"))
SOURCES = ("chat", "segment", "mooc", "app")


# ============================================================================================
# Batches of input files
# ============================================================================================


@dataclass(frozen=True)
class Item:
    """One input record of a JSON source: `value` written as one JSON value, or `raw` text as
    is. `valid`: the project must accept it (else quarantine it; a blank line is skipped)."""

    value: Any = None
    raw: str | None = None
    valid: bool = True

    def text(self) -> str:
        return self.raw if self.raw is not None else json.dumps(self.value)

    @property
    def blank(self) -> bool:
        return self.raw is not None and not self.raw.strip()

    @property
    def quarantined(self) -> bool:
        return not self.valid and not self.blank


def mooc_row_is_valid(row: MoocRow) -> bool:
    return row.user_id is not None and str(row.user_id).strip() != ""


def mooc_row_has_int_ids(row: MoocRow) -> bool:
    """Integer ids go to the batch's Parquet file with int64 id columns, text ids to another."""
    return isinstance(row.user_id, int) or (row.user_id is None and isinstance(row.item_id, int))


@dataclass
class Batch:
    """The records of one arrival, in file order. Segment records go to a JSON array file and a
    JSON-lines file, MOOC rows to a Parquet file of integer ids and one of text ids."""

    chat: list[Item] = field(default_factory=list)
    app: list[Item] = field(default_factory=list)
    segment_array: list[Item] = field(default_factory=list)
    segment_lines: list[Item] = field(default_factory=list)
    mooc: list[MoocRow] = field(default_factory=list)

    def files(self, index: int) -> dict[str, list[Any]]:
        """Relative file path -> its records (Items, or MoocRows), for the non-empty files."""
        stem = f"batch_{index:03d}"
        mooc_int = [row for row in self.mooc if mooc_row_has_int_ids(row)]
        mooc_text = [row for row in self.mooc if not mooc_row_has_int_ids(row)]
        files: dict[str, list[Any]] = {
            f"chat/{stem}.jsonl": self.chat,
            f"app/{stem}.jsonl": self.app,
            f"segment/{stem}_a.json": self.segment_array,
            f"segment/{stem}_b.jsonl": self.segment_lines,
            f"mooc/{stem}_int.parquet": mooc_int,
            f"mooc/{stem}_text.parquet": mooc_text,
        }
        return {path: records for path, records in files.items() if records}


@dataclass
class Scenario:
    """Batches of every source, and the batches where the named hard cases arrive."""

    batches: list[Batch]
    bridge_batches: set[int] = field(default_factory=set)  # a late event merges two sessions

    def describe(self) -> str:
        """Every input file, for a failure report."""
        lines = []
        for index, batch in enumerate(self.batches):
            for path, records in batch.files(index).items():
                lines.append(f"--- {path}")
                for record in records:
                    lines.append(record.text() if isinstance(record, Item) else repr(record))
        return "\n".join(lines)


class Landing:
    """The landing folders of one warehouse: batch files are only ever added."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for source in SOURCES:
            (root / source).mkdir(parents=True, exist_ok=True)

    def variables(self, exports: Path) -> dict[str, Any]:
        return {
            "chat_events_path": str(self.root / "chat" / "*.jsonl"),
            "segment_events_path": str(self.root / "segment" / "*"),
            "mooc_interactions_path": str(self.root / "mooc" / "*.parquet"),
            "app_events_path": str(self.root / "app" / "*.jsonl"),
            "export_dir": str(exports),
            # The scenarios' batches hold bad records on purpose, some a whole batch of a source:
            # the quarantine share, checked per run, is test_bad_input's subject, not these.
            **ALLOW_ANY_QUARANTINE_SHARE,
        }

    def write(self, index: int, batch: Batch) -> list[str]:
        """Write the batch's files; return their relative paths."""
        written = []
        for relative, records in batch.files(index).items():
            path = self.root / relative
            assert not path.exists(), f"{path} exists: the landing folder only grows"
            if relative.endswith(".parquet"):
                self._write_parquet(path, records)
            elif relative.endswith(".json"):
                array = [item.value for item in records]
                path.write_text(json.dumps(array, indent=2) + "\n", encoding="utf-8")
            else:
                text = "\n".join(item.text() for item in records) + "\n"
                path.write_text(text, encoding="utf-8")
            written.append(relative)
        return written

    @staticmethod
    def _write_parquet(path: Path, rows: Sequence[MoocRow]) -> None:
        id_type = pa.int64() if mooc_row_has_int_ids(rows[0]) else pa.string()
        table = pa.table(
            {
                "user_id": pa.array([row.user_id for row in rows], id_type),
                "item_id": pa.array([row.item_id for row in rows], id_type),
                "ts_epoch": pa.array([row.ts_epoch for row in rows], pa.int64()),
                "watch_percentage": pa.array([row.watch_percentage for row in rows], pa.float64()),
                "rating": pa.array([row.rating for row in rows], pa.int64()),
            }
        )
        pq.write_table(table, path)


# ============================================================================================
# What the batches must load: canonical events per state (reference_sources.py)
# ============================================================================================


@dataclass(frozen=True)
class BatchExpectation:
    files_loaded: int
    records_read: int
    records_quarantined: int
    events_loaded: int
    late_events: int


def canonical_events(batches: Sequence[Batch]) -> list[Event]:
    """The canonical events (stitched, deduplicated) of all the batches' valid records."""
    files: dict[str, list[tuple[str, list[Any]]]] = {"app": [], "segment": []}
    chat: list[Any] = []
    mooc: list[MoocRow] = []
    for index, batch in enumerate(batches):
        stem = f"batch_{index:03d}"

        def valid(items: Iterable[Item]) -> list[Any]:
            return [item.value for item in items if item.valid]

        files["app"].append((f"app/{stem}.jsonl", valid(batch.app)))
        files["segment"].append((f"segment/{stem}_a.json", valid(batch.segment_array)))
        files["segment"].append((f"segment/{stem}_b.jsonl", valid(batch.segment_lines)))
        chat += valid(batch.chat)
        mooc += [row for row in batch.mooc if mooc_row_is_valid(row)]
    app_events, _ = app_canonical_events(files["app"])
    segment_events, _ = segment_canonical_events(files["segment"])
    return [
        *chat_canonical_events(chat),
        *segment_events,
        *mooc_canonical_events(mooc),
        *app_events,
    ]


def _identity(event: Event) -> Event:
    """An event without its (stitched) owner: the same event before and after a re-stitch."""
    return replace(event, user_id="")


def _owner(event: Event) -> tuple[str, str, str]:
    """The stream an event is sessionized in: its source, user and client session."""
    return (event.source, event.user_id, event.client_session_id or "")


def batch_expectations(scenario: Scenario) -> list[BatchExpectation]:
    """Per batch: the files and records it brings, the events it adds (after deduplication), and
    how many of them are late: earlier than the last event already loaded for their owner (owners
    after stitching: before the batch for loaded events, after it for the new ones; an owner is
    a user's client session, as sessions are cut)."""
    expectations = []
    before: list[Event] = []
    for index, batch in enumerate(scenario.batches):
        after = canonical_events(scenario.batches[: index + 1])
        last_event: dict[tuple[str, str, str], datetime] = {}
        for event in before:
            key = _owner(event)
            last_event[key] = max(last_event.get(key, event.event_time), event.event_time)
        known = Counter(map(_identity, before))
        added = late = 0
        for event in after:
            if known[_identity(event)] > 0:
                known[_identity(event)] -= 1
                continue
            added += 1
            previous_last = last_event.get(_owner(event))
            late += previous_last is not None and event.event_time < previous_last
        assert not +known, f"batch {index}: loaded events vanished: {+known}"
        items = [*batch.chat, *batch.app, *batch.segment_array, *batch.segment_lines]
        expectations.append(
            BatchExpectation(
                files_loaded=len(batch.files(index)),
                records_read=sum(not item.blank for item in items) + len(batch.mooc),
                records_quarantined=sum(item.quarantined for item in items)
                + sum(not mooc_row_is_valid(row) for row in batch.mooc),
                events_loaded=added,
                late_events=late,
            )
        )
        before = after
    return expectations


# ============================================================================================
# Building and comparing
# ============================================================================================


@dataclass
class Outcome:
    incremental: DbtProject
    full_refresh: DbtProject
    run_stats: list[dict[str, Any]]  # the incremental warehouse's, in run order
    full_run_stats: list[dict[str, Any]]
    build_seconds: list[float]

    def rows(self, sql: str, project: DbtProject | None = None) -> list[dict[str, Any]]:
        with duckdb.connect(str((project or self.incremental).warehouse), read_only=True) as db:
            db.execute("set TimeZone = 'UTC'")
            cursor = db.execute(sql)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


RUN_STATS_SQL = "select * from run_stats order by run_started_at"


def incremental_and_full_refresh_projects(workdir: Path) -> tuple[DbtProject, DbtProject]:
    """Two warehouses under `workdir`: one built batch by batch, one full-refreshed once."""
    projects = DbtProject(workdir / "incremental"), DbtProject(workdir / "full_refresh")
    for project in projects:
        project.workdir.mkdir(parents=True, exist_ok=True)
    return projects


def land_and_run(
    landing: Landing,
    project: DbtProject,
    batches: list[Batch],
    steps: list[tuple[str, ...]],
    variables: dict[str, Any],
) -> None:
    """Lands each batch in turn, then runs its dbt step on `project` (each must succeed)."""
    for index, (batch, step) in enumerate(zip(batches, steps, strict=True)):
        landing.write(index, batch)
        project.dbt_ok(*step, variables=variables)


def build_in_batches(
    scenario: Scenario, workdir: Path, extra_variables: dict[str, Any] | None = None
) -> Outcome:
    """Land the batches one by one with an incremental build after each, then full-refresh a
    second warehouse over the same files with the same vars."""
    landing = Landing(workdir / "landing")
    variables = {**landing.variables(workdir / "exports"), **(extra_variables or {})}
    incremental, full_refresh = incremental_and_full_refresh_projects(workdir)
    seconds = []
    for index, batch in enumerate(scenario.batches):
        landing.write(index, batch)
        started = time.monotonic()
        incremental.build(variables)
        seconds.append(time.monotonic() - started)
    started = time.monotonic()
    full_refresh.build(variables, "--full-refresh")
    seconds.append(time.monotonic() - started)
    outcome = Outcome(incremental, full_refresh, [], [], seconds)
    outcome.run_stats = outcome.rows(RUN_STATS_SQL)
    outcome.full_run_stats = outcome.rows(RUN_STATS_SQL, full_refresh)
    return outcome


def assert_marts_equal(
    incremental: DbtProject, full_refresh: DbtProject, context: str = ""
) -> None:
    """Every mart of the incremental warehouse equals the full refresh's."""
    problems = mart_differences(incremental.warehouse, full_refresh.warehouse)
    assert not problems, (
        "incremental marts differ from the full refresh:\n" + "\n".join(problems) + context
    )


def check_equivalence(scenario: Scenario, outcome: Outcome) -> None:
    """Every mart equal to the full refresh; run_stats as the batches make expected."""
    assert_marts_equal(
        outcome.incremental,
        outcome.full_refresh,
        "\n\ninput files (batch by batch):\n" + scenario.describe(),
    )
    check_run_stats(scenario, outcome)


def check_run_stats(scenario: Scenario, outcome: Outcome) -> None:
    expectations = batch_expectations(scenario)
    stats = outcome.run_stats
    assert len(stats) == len(scenario.batches), "run_stats: one row per incremental run"
    assert len({row["invocation_id"] for row in stats}) == len(stats)
    for index, (row, expected) in enumerate(zip(stats, expectations, strict=True)):
        context = f"run_stats of batch {index}: {row}, expected {expected}"
        assert row["is_full_refresh"] == (index == 0), context
        for name in ("files_loaded", "records_read", "records_quarantined", "events_loaded"):
            assert row[name] == getattr(expected, name), f"{name}: {context}"
        assert row["late_events"] == expected.late_events, f"late_events: {context}"
        # Every new event is sessionized again, with the sessions it can change.
        assert row["events_resessionized"] >= row["events_loaded"], context
        assert row["late_events"] <= row["events_loaded"], context
        if row["events_loaded"]:
            assert row["users_affected"] >= 1, context
        changed = row["sessions_created"] + row["sessions_extended"] + row["sessions_merged"]
        if row["events_loaded"]:
            assert changed >= 1, context
        if index == 0:
            assert row["sessions_merged"] == row["sessions_removed"] == 0, context
        if index in scenario.bridge_batches:
            assert row["late_events"] >= 1, context
            assert row["sessions_merged"] >= 1, context
            assert row["sessions_removed"] >= 1, context

    # The full refresh: one run that loads everything and creates every session.
    (full,) = outcome.full_run_stats
    sessions = outcome.rows("select count(*) as n from user_sessions", outcome.full_refresh)
    context = f"full-refresh run_stats: {full}"
    assert full["is_full_refresh"] is True, context
    assert full["files_loaded"] == sum(row["files_loaded"] for row in stats), context
    assert full["events_loaded"] == sum(row["events_loaded"] for row in stats), context
    assert full["records_read"] == sum(row["records_read"] for row in stats), context
    assert full["late_events"] == full["sessions_merged"] == full["sessions_removed"] == 0
    assert full["sessions_created"] == sessions[0]["n"], context


# ============================================================================================
# Random scenarios
# ============================================================================================


def _app_record(event_id: str, event_type: str, moment: datetime, user_id: str) -> dict[str, Any]:
    record = {
        "event_id": event_id,
        "event_type": event_type,
        "timestamp": moment.isoformat().replace("+00:00", "Z"),
        "user_id": user_id,
    }
    if event_type in ("page_view", "action"):
        record["page"] = "/docs"
    if event_type == "action":
        # A feature name (feature_pairs), fixed by the event id.
        record["action"] = f"feature_{sum(map(ord, event_id)) % 3}"
    return record


def _segment_record(
    moment: datetime,
    message_id: str | None,
    user_id: str | None = None,
    anonymous_id: str | None = None,
    event_type: str = "track",
) -> dict[str, Any]:
    record: dict[str, Any] = {"type": event_type, "timestamp": spell_timestamp_utc(moment)}
    if event_type == "track":
        record["event"] = "Feature Used"
    for key, value in (
        ("messageId", message_id),
        ("userId", user_id),
        ("anonymousId", anonymous_id),
    ):
        if value is not None:
            record[key] = value
    return record


def spell_timestamp_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _record_time(record: Any) -> datetime:
    if isinstance(record, MoocRow):
        return datetime.fromtimestamp(record.ts_epoch, tz=UTC)
    return parse_timestamp(record["timestamp"])


class ScenarioBuilder:
    """Puts records into batches: random ones anywhere, the named cases where they must go."""

    def __init__(self, rng: random.Random, batch_count: int) -> None:
        self.rng = rng
        self.scenario = Scenario([Batch() for _ in range(batch_count)])

    @property
    def count(self) -> int:
        return len(self.scenario.batches)

    def later(self, after: int = 0) -> int:
        """A random batch after `after` (the last one when none is left)."""
        return self.rng.randint(min(after + 1, self.count - 1), self.count - 1)

    def anywhere(self) -> int:
        return self.rng.randrange(self.count)

    def add(self, source: str, index: int, item: Item | MoocRow) -> None:
        batch = self.scenario.batches[index]
        if source == "segment":
            lines = not isinstance(item, Item) or item.raw is not None or self.rng.random() < 0.6
            (batch.segment_lines if lines else batch.segment_array).append(item)
        else:
            getattr(batch, source).append(item)

    def spread(
        self, source: str, records: Sequence[Any], resend: float, chronological: bool
    ) -> None:
        """Into batches: at random, or in time order with a few stragglers that arrive in a
        later batch (the first record goes to batch 0: every source has a file from the
        start). Some records are sent again, as exact copies, in a later batch."""
        order = sorted(range(len(records)), key=lambda position: _record_time(records[position]))
        rank = {position: place for place, position in enumerate(order)}
        for position, record in enumerate(records):
            item = record if source == "mooc" else Item(record)
            if position == 0:
                index = 0
            elif chronological:
                index = rank[position] * self.count // len(records)
                if self.rng.random() < 0.15:
                    index = self.later(index)
            else:
                index = self.anywhere()
            self.add(source, index, item)
            if self.rng.random() < resend and index < self.count - 1:
                self.add(source, self.later(index), item)

    def finish(self) -> Scenario:
        """Shuffle each file: the order of records in a file must not matter."""
        for batch in self.scenario.batches:
            for records in (batch.chat, batch.app, batch.segment_lines, batch.mooc):
                self.rng.shuffle(records)
            self.rng.shuffle(batch.segment_array)
        return self.scenario


def _app_named_cases(builder: ScenarioBuilder, tag: str) -> None:
    """One user's sessions A and B, a late event bridging them (gaps equal to or below the
    limit: they merge), one between two sessions 1801 s from both (a session of its own), one the
    day before (numbers shift), events days late inside old sessions, and re-sent event ids."""
    rng = builder.rng
    user = f"app_late_{tag}"
    day = SOURCES_START + timedelta(days=1, hours=rng.randint(0, 10))
    gap = rng.choice([1800, 1500, 1000])
    a_end = day + timedelta(minutes=10)
    b_start = a_end + timedelta(seconds=2 * gap)
    records = {
        "a1": _app_record(f"{tag}-a1", "session_start", day, user),
        "a2": _app_record(f"{tag}-a2", "page_view", day + timedelta(minutes=5), user),
        "a3": _app_record(f"{tag}-a3", "action", a_end, user),
        "b1": _app_record(f"{tag}-b1", "page_view", b_start, user),
        "b2": _app_record(f"{tag}-b2", "action", b_start + timedelta(minutes=10), user),
        "c1": _app_record(f"{tag}-c1", "session_start", day + timedelta(days=3), user),
        "c2": _app_record(f"{tag}-c2", "action", day + timedelta(days=3, seconds=60), user),
        "c3": {
            **_app_record(f"{tag}-c3", "session_end", day + timedelta(days=3, seconds=90), user),
            "reason": "logout",
        },
        "d1": _app_record(f"{tag}-d1", "action", day + timedelta(days=4), user),
        "e1": _app_record(f"{tag}-e1", "page_view", day + timedelta(days=4, seconds=3602), user),
    }
    for record in records.values():
        builder.add("app", 0, Item(record))
    bridge = builder.later()
    builder.scenario.bridge_batches.add(bridge)
    bridge_time = a_end + timedelta(seconds=gap)
    builder.add("app", bridge, Item(_app_record(f"{tag}-bridge", "action", bridge_time, user)))
    # 1801 s after d1 and before e1: neither joins; a session between them.
    between = day + timedelta(days=4, seconds=1801)
    builder.add("app", builder.later(), Item(_app_record(f"{tag}-mid", "heartbeat", between, user)))
    early = day - timedelta(days=1, hours=2)
    builder.add("app", builder.later(), Item(_app_record(f"{tag}-early", "page_view", early, user)))
    # Days late, inside the closed session C (before its session_end) and inside A.
    inside = day + timedelta(days=3, seconds=80)
    builder.add("app", builder.later(), Item(_app_record(f"{tag}-in-c", "error", inside, user)))
    inside = day + timedelta(minutes=7)
    builder.add("app", builder.later(), Item(_app_record(f"{tag}-in-a", "heartbeat", inside, user)))
    # Re-sent: an exact copy, and a changed copy (the copy loaded first counts).
    builder.add("app", builder.later(), Item(records["a2"]))
    changed = {**records["b2"], "timestamp": spell_timestamp_utc(day - timedelta(days=2))}
    builder.add("app", builder.later(), Item({**changed, "page": "/changed"}))


def _segment_named_cases(builder: ScenarioBuilder, tag: str) -> None:
    """An anonymousId with two sessions, paired with a user only in a later batch (its sessions
    move to the user and merge with the user's own); maybe re-paired with another user later
    still, and paired late with a stale (earlier) login that must not win; re-sent messageIds;
    identical records without messageId in two batches."""
    rng = builder.rng
    anonymous_id, user, other = f"anon_late_{tag}", f"seg_late_{tag}", f"seg_other_{tag}"
    day = SOURCES_START + timedelta(days=1, hours=rng.randint(0, 6))
    anon_first = _segment_record(day, f"{tag}-s1", anonymous_id=anonymous_id)
    builder.add("segment", 0, Item(anon_first))
    anon_page = _segment_record(
        day + timedelta(minutes=10), f"{tag}-s2", anonymous_id=anonymous_id, event_type="page"
    )
    builder.add("segment", 0, Item(anon_page))
    builder.add(
        "segment",
        0,
        Item(_segment_record(day + timedelta(hours=5), f"{tag}-s3", None, anonymous_id)),
    )
    builder.add("segment", 0, Item(_segment_record(day + timedelta(minutes=25), f"{tag}-u1", user)))
    pairing = builder.later()
    login = _segment_record(
        day + timedelta(minutes=20), f"{tag}-login", user, anonymous_id, "identify"
    )
    builder.add("segment", pairing, Item(login))
    if rng.random() < 0.5 and pairing < builder.count - 1:
        relogin = _segment_record(
            day + timedelta(hours=6), f"{tag}-relogin", other, anonymous_id, "identify"
        )
        builder.add("segment", builder.later(pairing), Item(relogin))
    if rng.random() < 0.5:
        stale = _segment_record(
            day - timedelta(hours=1), f"{tag}-stale", f"seg_stale_{tag}", anonymous_id, "identify"
        )
        builder.add("segment", builder.later(pairing), Item(stale))
    # Re-sent messageIds: an exact copy, and a changed copy (ignored: the first copy counts).
    builder.add("segment", builder.later(), Item(anon_first))
    builder.add(
        "segment", builder.later(), Item({**anon_page, "timestamp": "2024-03-01T00:00:00Z"})
    )
    # Without messageId: identical records are two events, in whichever batches they arrive.
    plain = _segment_record(day + timedelta(minutes=15), None, user)
    builder.add("segment", 0, Item(plain))
    builder.add("segment", builder.later(), Item(plain))


def _chat_named_cases(builder: ScenarioBuilder, tag: str) -> None:
    """Two chat sessions bridged by a late line (gaps of exactly 30 s), and a line re-sent."""
    user = f"chat_late_{tag}"
    start = SOURCES_START + timedelta(days=2, seconds=builder.rng.randint(0, 3600))

    def line(seconds: float, channel: str = "1") -> Item:
        moment = start + timedelta(seconds=seconds)
        return Item(
            {
                "event_name": "send_message",
                "timestamp": spell_timestamp_utc(moment),
                "user_id": user,
                "channel_id": channel,
            }
        )

    for item in (line(0), line(20, "2"), line(80)):
        builder.add("chat", 0, item)
    bridge = builder.later()
    builder.scenario.bridge_batches.add(bridge)
    builder.add("chat", bridge, line(50, "2"))
    builder.add("chat", builder.later(), line(0))  # identical line: a second message


def _mooc_named_cases(builder: ScenarioBuilder, tag: str) -> None:
    """Two MOOC sessions bridged by a late row, and an identical row in a later batch."""
    user = f"mooc_late_{tag}"
    start = int((SOURCES_START + timedelta(days=2)).timestamp()) + builder.rng.randint(0, 3600)
    for offset, item in ((0, "c1"), (600, "c2"), (4200, "c3")):
        builder.add("mooc", 0, MoocRow(user, item, start + offset, 50.0, 4))
    bridge = builder.later()
    builder.scenario.bridge_batches.add(bridge)
    builder.add("mooc", bridge, MoocRow(user, "c4", start + 2400, 75.0, None))
    builder.add("mooc", builder.later(), MoocRow(user, "c2", start + 600, 50.0, 4))


def _invalid_items(builder: ScenarioBuilder) -> None:
    """Quarantined records of every source, and blank lines, in random batches."""
    rng = builder.rng
    moment = spell_timestamp_utc(SOURCES_START)
    candidates: list[tuple[str, Item | MoocRow]] = [
        ("chat", Item({"event_name": "send_message", "timestamp": moment}, valid=False)),
        ("chat", Item(raw="{not json", valid=False)),
        ("chat", Item(raw="   ", valid=False)),
        (
            "app",
            Item(
                {"event_id": "bad-1", "event_type": "click", "timestamp": moment, "user_id": "x"},
                valid=False,
            ),
        ),
        ("app", Item(raw='"just text"', valid=False)),
        ("segment", Item({"type": "alias", "userId": "x", "timestamp": moment}, valid=False)),
        ("segment", Item({"type": "track", "timestamp": moment}, valid=False)),
        # Text ids only: see test_quarantined_parquet_row_text_does_not_depend_on_the_batch.
        ("mooc", MoocRow(None, "c7", int(SOURCES_START.timestamp()), 10.0, None)),
        ("mooc", MoocRow("  ", "c7", int(SOURCES_START.timestamp()), 10.0, 2)),
    ]
    for source, item in candidates:
        if rng.random() < 0.5:
            builder.add(source, builder.anywhere(), item)


def random_scenario(seed: int, batch_count: int, chronological: bool) -> Scenario:
    rng = random.Random(seed)
    builder = ScenarioBuilder(rng, batch_count)
    tag = f"{rng.getrandbits(24):06x}"
    chat = [
        {
            "event_name": event.event_name,
            "timestamp": spell_timestamp(event.event_time, rng),
            "user_id": event.user_id,
            "channel_id": event.channel_id,
        }
        for event in random_chat_events(rng, users=rng.randint(1, 3), events_per_user=25)
    ]
    builder.spread("chat", chat, 0.05, chronological)
    builder.spread("app", app_visit_records(rng, users=rng.randint(1, 3)), 0.05, chronological)
    segment = segment_people_records(rng, people=rng.randint(1, 4))
    builder.spread("segment", segment, 0.05, chronological)
    builder.spread("mooc", generate_mooc_rows(rng, users=rng.randint(2, 3)), 0.05, chronological)
    _app_named_cases(builder, tag)
    _segment_named_cases(builder, tag)
    _chat_named_cases(builder, tag)
    _mooc_named_cases(builder, tag)
    _invalid_items(builder)
    return builder.finish()


_example_numbers = itertools.count()


@pytest.mark.slow
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # Each example runs 3-5 dbt builds: shrinking would take far too long. A failure prints the
    # example's input files and the differing rows instead.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    batch_count=st.integers(min_value=2, max_value=4),
    chronological=st.booleans(),
)
def test_incremental_builds_equal_full_refresh(
    tmp_path: Path, seed: int, batch_count: int, chronological: bool
) -> None:
    scenario = random_scenario(seed, batch_count, chronological)
    expectations = batch_expectations(scenario)
    assert sum(expectation.late_events for expectation in expectations) > 0
    workdir = tmp_path / f"example_{next(_example_numbers)}"
    # The drawn batches mix in bad records, sometimes more than the quarantine ratios allow
    # (a build then fails on purpose: test_bad_input checks that): here every share is allowed.
    outcome = build_in_batches(scenario, workdir, ALLOW_ANY_QUARANTINE_SHARE)
    check_equivalence(scenario, outcome)


# ============================================================================================
# The named cases, by hand
# ============================================================================================

DAY = datetime(2024, 3, 2, tzinfo=UTC)


def at(days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0) -> datetime:
    return DAY + timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def app(event_id: str, event_type: str, moment: datetime, **fields: Any) -> Item:
    return Item({**_app_record(event_id, event_type, moment, "u"), **fields})


def segment(
    message_id: str | None,
    moment: datetime,
    user_id: str | None = None,
    anonymous_id: str | None = None,
    event_type: str = "track",
) -> Item:
    return Item(_segment_record(moment, message_id, user_id, anonymous_id, event_type))


def chat(moment: datetime, channel: str = "1") -> Item:
    record = {"event_name": "send_message", "timestamp": spell_timestamp_utc(moment)}
    return Item({**record, "user_id": "c", "channel_id": channel})


def mooc(user_id: int | str, item_id: int | str, moment: datetime, rating: int | None) -> MoocRow:
    return MoocRow(user_id, item_id, int(moment.timestamp()), 80.0, rating)


def hand_written_scenario() -> Scenario:
    anon_first = segment("m-a1", at(hours=9), anonymous_id="anon-1")
    plain = segment(None, at(hours=16), user_id="seg-u")
    chat_first = chat(at(hours=12))
    batch_0 = Batch(
        app=[
            app("e-a1", "session_start", at(hours=10)),
            app("e-a2", "page_view", at(hours=10, minutes=5)),
            app("e-a3", "action", at(hours=10, minutes=10)),
            app("e-b1", "page_view", at(hours=11)),
            app("e-b2", "action", at(hours=11, minutes=10)),
            app("e-c1", "session_start", at(days=3, hours=9)),
            app("e-c2", "session_end", at(days=3, hours=9, minutes=10), reason="logout"),
        ],
        segment_array=[
            anon_first,
            segment("m-a2", at(hours=9, minutes=10), anonymous_id="anon-1", event_type="page"),
        ],
        segment_lines=[
            segment("m-u1", at(hours=9, minutes=30), user_id="seg-u"),
            segment("m-a3", at(hours=14), anonymous_id="anon-1"),
        ],
        chat=[chat_first, chat(at(hours=12, seconds=20), "2"), chat(at(hours=12, seconds=80))],
        mooc=[mooc(1, 10, at(hours=8), None), mooc(1, 11, at(hours=8, minutes=1), 4)],
    )
    batch_1 = Batch(
        app=[
            # Bridges A (10:00-10:10) and B (11:00-11:10): 1500 s from both.
            app("e-bridge", "action", at(hours=10, minutes=35)),
            app("e-a2", "page_view", at(hours=10, minutes=5)),  # re-sent, exact copy
            # Re-sent with other content: the copy loaded first counts.
            app("e-c2", "session_end", at(days=3, hours=12), reason="navigation"),
            Item(
                {
                    "event_id": "bad-1",
                    "event_type": "click",
                    "timestamp": "2024-03-02T10:00:00Z",
                    "user_id": "u",
                },
                valid=False,
            ),
        ],
        segment_lines=[
            # anon-1 logs in as seg-u: its sessions move to seg-u.
            segment("m-u2", at(hours=9, minutes=20), "seg-u", "anon-1", "identify"),
            anon_first,  # re-sent messageId
            plain,
        ],
        # The same line again (a second message), and a line 30 s from both of its neighbours.
        chat=[chat_first, chat(at(hours=12, seconds=50), "2")],
        mooc=[mooc(1, 11, at(hours=8, minutes=1), 4), mooc("m_x", "c1", at(hours=8), 5)],
    )
    batch_2 = Batch(
        app=[
            app("e-early", "page_view", at(days=-1, hours=8)),  # before the first session
            app("e-late", "heartbeat", at(hours=10, minutes=20)),  # days late, inside A+B
            app("e-bridge", "action", at(hours=10, minutes=35)),  # re-sent again
        ],
        segment_lines=[plain],  # identical, without messageId: a second event
        chat=[
            Item(raw="", valid=False),
            Item(
                {
                    "event_name": "send_message",
                    "timestamp": "2024-03-02T12:00:00Z",
                    "channel_id": "1",
                },
                valid=False,
            ),
        ],
        mooc=[MoocRow(None, "c12", int(at(hours=8).timestamp()), 1.0, None)],  # quarantined
    )
    # A scheduled run that finds no new file changes nothing.
    return Scenario([batch_0, batch_1, batch_2, Batch()], bridge_batches={1})


def test_named_late_arrivals_in_three_batches_then_an_idle_run(tmp_path: Path) -> None:
    scenario = hand_written_scenario()
    outcome = build_in_batches(scenario, tmp_path)
    check_equivalence(scenario, outcome)

    sessions = outcome.rows(
        "select source, user_id, session_number, start_time, end_time, event_count,"
        " is_closed_by_session_end, exit_reason from user_sessions"
        " order by source, user_id, session_number"
    )
    expected = [
        ("app", "u", 1, at(days=-1, hours=8), at(days=-1, hours=8), 1, False, "timeout"),
        ("app", "u", 2, at(hours=10), at(hours=11, minutes=10), 7, False, "timeout"),
        ("app", "u", 3, at(days=3, hours=9), at(days=3, hours=9, minutes=10), 2, True, "logout"),
        ("chat", "c", 1, at(hours=12), at(hours=12, seconds=80), 5, False, None),
        ("mooc", "1", 1, at(hours=8), at(hours=8, minutes=1), 3, False, None),
        ("mooc", "m_x", 1, at(hours=8), at(hours=8), 1, False, None),
        ("segment", "seg-u", 1, at(hours=9), at(hours=9, minutes=30), 4, False, None),
        ("segment", "seg-u", 2, at(hours=14), at(hours=14), 1, False, None),
        ("segment", "seg-u", 3, at(hours=16), at(hours=16), 2, False, None),
    ]
    assert [tuple(row.values()) for row in sessions] == expected
    # The late bridge event (feature_2) merges sessions A and B (feature_0): the pair exists
    # only from the batch that brought it (and equals the full refresh's, compared above).
    pairs = outcome.rows("select source, action_a, action_b, sessions_with_both from feature_pairs")
    assert {"source": "app", "action_a": "feature_0", "action_b": "feature_2"} in [
        {key: row[key] for key in ("source", "action_a", "action_b")} for row in pairs
    ]

    stats = outcome.run_stats
    assert [row["files_loaded"] for row in stats] == [5, 5, 4, 0]
    assert [row["late_events"] for row in stats] == [0, 4, 2, 0]
    assert [row["events_loaded"] for row in stats] == [16, 7, 3, 0]
    assert [row["records_quarantined"] for row in stats] == [0, 1, 2, 0]
    bridging = stats[1]
    # u's A and B, chat c's two sessions, and anon-1's first session with seg-u's.
    assert bridging["sessions_merged"] == 3, bridging
    # At least B, chat c's second session, anon-1's two and seg-u's first.
    assert bridging["sessions_removed"] >= 5, bridging
    assert stats[2]["sessions_merged"] == 0, stats[2]
    idle = stats[3]
    assert idle["users_affected"] == idle["events_resessionized"] == 0, idle
    assert idle["sessions_created"] == idle["sessions_extended"] == 0, idle
    assert idle["sessions_removed"] == 0, idle
    print(f"build seconds: {[round(s, 1) for s in outcome.build_seconds]}")


def test_quarantined_parquet_row_text_does_not_depend_on_the_batch(tmp_path: Path) -> None:
    """A rejected MOOC row keeps the same raw_line whichever files are read with it."""
    moment = int(DAY.timestamp())
    scenario = Scenario(
        [
            Batch(mooc=[MoocRow("a", "c1", moment, 50.0, None)]),  # text ids
            Batch(mooc=[MoocRow(None, 12, moment, 1.0, None)]),  # integer ids, no user
        ]
    )
    only_mooc = {
        "chat_enabled": False,
        "segment_enabled": False,
        "app_enabled": False,
        # The second batch is all bad on purpose: above any error ratio.
        **ALLOW_ANY_QUARANTINE_SHARE,
    }
    outcome = build_in_batches(scenario, tmp_path, only_mooc)
    assert_marts_equal(outcome.incremental, outcome.full_refresh)


def test_runs_that_stop_part_way_are_caught_up(tmp_path: Path) -> None:
    """Scheduled runs that leave models behind: the recompute ranges computed but not applied
    (sessionization and the marts excluded, twice: the second range of a user absorbs the
    first), then the sessionization catching up while the marts stay behind, then the event
    stream (int_events_unioned) rebuilt on its own, so every event looks newly loaded to the
    sessionization. The next build still equals a full refresh."""
    scenario = hand_written_scenario()
    landing = Landing(tmp_path / "landing")
    variables = landing.variables(tmp_path / "exports")
    incremental, full_refresh = incremental_and_full_refresh_projects(tmp_path)
    steps: list[tuple[str, ...]] = [
        ("build",),
        ("run", "--exclude", "int_event_sessions+"),
        ("run", "--exclude", "int_event_sessions+"),
        ("run", "--select", "+int_event_sessions"),
    ]
    land_and_run(landing, incremental, scenario.batches, steps, variables)
    incremental.dbt_ok(
        "run", "--full-refresh", "--select", "int_events_unioned", variables=variables
    )
    incremental.build(variables)
    full_refresh.build(variables, "--full-refresh")

    assert_marts_equal(incremental, full_refresh)


# Where a run leaves its stamp (see macros/incremental/run_stamp.sql).
RUN_STAMP_COLUMNS = ("_loaded_at", "_sessionized_at", "_computed_at")
STATE_STAMPS = {"run_sequence": "stamp", "int_incremental_manifest": "applied_through"}


def move_run_stamps(warehouse: Path, by: timedelta) -> int:
    """Moves every stamp the runs so far left by `by`, as if they had run on a clock that far
    ahead; returns how many columns were moved."""
    with duckdb.connect(str(warehouse)) as db:
        columns = db.execute(
            "select c.table_schema, c.table_name, c.column_name"
            " from information_schema.columns as c"
            " inner join information_schema.tables as t"
            " using (table_catalog, table_schema, table_name)"
            " where t.table_type = 'BASE TABLE'"
        ).fetchall()
        stamped = [
            (schema, table, column)
            for schema, table, column in columns
            if column in RUN_STAMP_COLUMNS or STATE_STAMPS.get(table) == column
        ]
        microseconds = int(by.total_seconds() * 1_000_000)
        for schema, table, column in stamped:
            db.execute(
                f'update "{schema}"."{table}"'
                f' set "{column}" = "{column}" + to_microseconds({microseconds})'
            )
        return len(stamped)


def test_a_clock_set_back_between_runs_loses_nothing(tmp_path: Path) -> None:
    """Each batch is built after the clock went back a day (the stamps of every earlier run are
    moved a day ahead, as if those runs had a clock a day fast, or ran on another host): every
    later run's rows are still loaded, sessionized and rebuilt, and the marts equal a full
    refresh. With stamps from the wall clock, the later loads would look older than what the
    models had applied, and be skipped for good."""
    scenario = hand_written_scenario()
    landing = Landing(tmp_path / "landing")
    variables = landing.variables(tmp_path / "exports")
    incremental, full_refresh = incremental_and_full_refresh_projects(tmp_path)
    for index, batch in enumerate(scenario.batches):
        landing.write(index, batch)
        incremental.build(variables)
        assert move_run_stamps(incremental.warehouse, timedelta(days=1)) > 10
    full_refresh.build(variables, "--full-refresh")
    assert_marts_equal(incremental, full_refresh)
    sequence = incremental.query("select run_number, stamp from intermediate.run_sequence")
    assert [number for number, _ in sorted(sequence)] == list(range(1, len(scenario.batches) + 1))


@pytest.mark.parametrize(
    ("second_late_minute", "expected_ranges"),
    [
        # Inside session 2: the later runs' ranges cover both late events, one session each.
        (14 * 60 + 30, [(0, 1), (0, 1), (1, 2), (0, 1), (1, 2)]),
        # Inside session 1 again: every range stays bounded to session 1.
        (10 * 60 + 10, [(0, 1), (0, 1), (0, 1)]),
    ],
)
def test_bounded_ranges_left_unapplied_are_caught_up(
    tmp_path: Path, second_late_minute: int, expected_ranges: list[tuple[int, int | None]]
) -> None:
    """Late plain events inside old sessions, in two runs that stop before the sessionization:
    the sessionization applies the latest range (it covers the earlier run's changes), and the
    marts that catch up later delete exactly the sessions that were rewritten. The next build
    equals a full refresh."""
    history = [
        app(f"h{index}", "page_view", at(hours=hour, minutes=minute))
        for index, (hour, minute) in enumerate(
            [(10, 0), (10, 20), (10, 40), (14, 0), (14, 20), (14, 40), (18, 0), (18, 20)]
        )
    ]
    batches = [
        Batch(app=history),
        Batch(app=[app("late-1", "action", at(hours=10, minutes=30))]),
        Batch(app=[app("late-2", "action", at(minutes=second_late_minute))]),
        Batch(),
    ]
    steps: list[tuple[str, ...]] = [
        ("build",),
        ("run", "--exclude", "int_event_sessions+"),
        ("run", "--exclude", "int_event_sessions+"),
        ("build",),
    ]
    landing = Landing(tmp_path / "landing")
    variables = {
        **landing.variables(tmp_path / "exports"),
        **{f"{source}_enabled": False for source in ("chat", "segment", "mooc")},
    }
    incremental, full_refresh = incremental_and_full_refresh_projects(tmp_path)
    land_and_run(landing, incremental, batches, steps, variables)
    ranges = incremental.query(
        "select session_number_offset, session_number_limit"
        " from intermediate.int_session_recompute_ranges"
        " order by _computed_at, session_number_offset"
    )
    assert ranges[1:] == expected_ranges, ranges
    full_refresh.build(variables, "--full-refresh")
    assert_marts_equal(incremental, full_refresh)


def test_daily_stats_drop_a_day_whose_only_session_merged_into_the_day_before(
    tmp_path: Path,
) -> None:
    """daily_session_stats recomputes the days of the sessions sessionized again, as they were
    and as they are now: a late event merges a session that started after midnight into the one
    before midnight, so that day has no session left and its row must go; a later batch adds a
    day; the day of another user's session is left as it was."""
    batches = [
        Batch(
            app=[
                app("a1", "page_view", at(hours=23, minutes=40)),
                app("a2", "page_view", at(hours=23, minutes=50)),
                app("b1", "page_view", at(days=1, minutes=30)),
                app("b2", "action", at(days=1, minutes=35)),
                app("v1", "page_view", at(days=2, hours=9), user_id="v"),
            ]
        ),
        # 20 minutes after a2 and 20 before b1: one session, starting on DAY.
        Batch(app=[app("late", "action", at(days=1, minutes=10))]),
        Batch(app=[app("w1", "page_view", at(days=3, hours=12), user_id="w")]),
    ]
    variables = {f"{source}_enabled": False for source in ("chat", "segment", "mooc")}
    outcome = build_in_batches(Scenario(batches), tmp_path, variables)

    assert_marts_equal(outcome.incremental, outcome.full_refresh)
    days = outcome.rows(
        "select date, source, total_sessions from daily_session_stats order by date, source"
    )
    expected = [
        (at().date(), "app", 1),
        (at(days=2).date(), "app", 1),
        (at(days=3).date(), "app", 1),
    ]
    assert [tuple(row.values()) for row in days] == expected


def test_marts_run_without_the_marts_they_read_catch_up(tmp_path: Path) -> None:
    """Two runs select every model but user_sessions and mooc_interaction_sessions, so the marts
    computed from them (daily_session_stats, user_session_patterns, mooc_session_stats) read
    them before they applied the new ranges. The next build, which brings those two up to
    date, must bring the marts computed from them up to date too."""
    scenario = hand_written_scenario()
    landing = Landing(tmp_path / "landing")
    variables = landing.variables(tmp_path / "exports")
    incremental, full_refresh = incremental_and_full_refresh_projects(tmp_path)
    left_behind = ("--exclude", "user_sessions", "mooc_interaction_sessions")
    steps: list[tuple[str, ...]] = [("build",), ("run", *left_behind), ("run", *left_behind)]
    land_and_run(landing, incremental, scenario.batches[: len(steps)], steps, variables)
    for index in range(len(steps), len(scenario.batches)):
        landing.write(index, scenario.batches[index])
    incremental.build(variables)
    full_refresh.build(variables, "--full-refresh")

    assert_marts_equal(incremental, full_refresh)


# ============================================================================================
# Open sessions: closed by new events or by the clock alone
# ============================================================================================


def build_step_by_step(
    batches: Sequence[Batch],
    workdir: Path,
    as_of_per_batch: Sequence[str | None],
    extra_variables: dict[str, Any] | None = None,
) -> list[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Lands the batches one by one; after each, an incremental build of warehouse A and a full
    refresh of warehouse B over the same files, both with that step's as_of (None: the latest
    event). Every mart of A must equal B's after every step. Returns, per step, A's sessions
    (source, user_id, session_number, is_open, exit_reason) and unfinished workflows."""
    landing = Landing(workdir / "landing")
    incremental, full_refresh = incremental_and_full_refresh_projects(workdir)
    outcome = Outcome(incremental, full_refresh, [], [], [])
    steps = []
    for index, (batch, as_of) in enumerate(zip(batches, as_of_per_batch, strict=True)):
        landing.write(index, batch)
        variables = {
            **landing.variables(workdir / "exports"),
            **(extra_variables or {}),
            "as_of": as_of,
        }
        incremental.build(variables)
        full_refresh.build(variables, "--full-refresh")
        assert_marts_equal(incremental, full_refresh, f"\n\nafter batch {index} (as_of {as_of})")
        sessions = outcome.rows(
            "select source, user_id, session_number, is_open, exit_reason from user_sessions"
            " order by source, user_id, session_number"
        )
        workflows = outcome.rows(
            "select user_id, session_number, workflow_id, status from abandoned_workflows"
            " order by user_id, session_number, workflow_id"
        )
        steps.append((sessions, workflows))
    return steps


def _open_sessions(sessions: list[dict[str, Any]]) -> set[tuple[str, str, int]]:
    return {
        (row["source"], row["user_id"], row["session_number"]) for row in sessions if row["is_open"]
    }


def _statuses(workflows: list[dict[str, Any]]) -> dict[str, str]:
    return {row["workflow_id"]: row["status"] for row in workflows}


def test_open_sessions_close_by_time_alone_and_equal_a_full_refresh(tmp_path: Path) -> None:
    """Sessions open at the end of a batch close in a later run that brings none of their own
    events: other users' events move as_of past the gap. Their workflows turn from in_progress
    to abandoned (or failed, after an error). A stream's open session that a new session
    follows closes too, and the sessions open at the end stay open. After every batch the
    incremental warehouse equals a full refresh at the same as_of."""
    batches = [
        Batch(
            app=[
                app("u1", "session_start", at(minutes=0)),
                app("u2", "workflow_started", at(minutes=1), workflow_id="w-u"),
                app("u3", "page_view", at(minutes=5)),
                Item(
                    _app_record("v1", "workflow_started", at(minutes=2), "v")
                    | {"workflow_id": "w-v"}
                ),
                Item(_app_record("v2", "error", at(minutes=3), "v")),
                Item(_app_record("x1", "page_view", at(minutes=4), "x")),
                Item(_app_record("x2", "session_end", at(minutes=6), "x") | {"reason": "logout"}),
            ],
            segment_lines=[segment("s-1", at(minutes=8), user_id="seg-s")],
            chat=[chat(at(minutes=9, seconds=50))],
        ),
        # Only another user's events, an hour later: u, v and seg-s close by the clock alone.
        Batch(app=[Item(_app_record("y1", "page_view", at(hours=1), "y"))]),
        # y opens a second session (its first is no longer the last); u comes back (open).
        Batch(
            app=[
                Item(_app_record("y2", "page_view", at(hours=1, minutes=40), "y")),
                app("u4", "workflow_started", at(hours=1, minutes=45), workflow_id="w-u2"),
            ],
            chat=[chat(at(hours=1, minutes=45))],
        ),
        # Nothing new: as_of stays, nothing changes.
        Batch(),
    ]
    steps = build_step_by_step(batches, tmp_path, [None] * len(batches), {"mooc_enabled": False})

    first, second, third, idle = steps
    assert _open_sessions(first[0]) == {
        ("app", "u", 1),
        ("app", "v", 1),
        ("segment", "seg-s", 1),
        ("chat", "c", 1),
    }
    assert {row["user_id"]: row["exit_reason"] for row in first[0] if row["source"] == "app"} == {
        "u": None,
        "v": None,
        "x": "logout",
    }
    assert _statuses(first[1]) == {"w-u": "in_progress", "w-v": "in_progress"}

    assert _open_sessions(second[0]) == {("app", "y", 1)}
    reasons = {row["user_id"]: row["exit_reason"] for row in second[0] if row["source"] == "app"}
    assert reasons == {"u": "timeout", "v": "error", "x": "logout", "y": None}
    assert _statuses(second[1]) == {"w-u": "abandoned", "w-v": "failed"}

    assert _open_sessions(third[0]) == {("app", "y", 2), ("app", "u", 2), ("chat", "c", 2)}
    assert _statuses(third[1]) == {"w-u": "abandoned", "w-v": "failed", "w-u2": "in_progress"}
    assert idle == third


def test_open_sessions_follow_an_as_of_set_back_and_forth(tmp_path: Path) -> None:
    """The var as_of moves back (a session closed at the previous as_of is open again, one with
    events after as_of is not), then forward; a session whose stream gains a later session
    after as_of stops being open though its own events and as_of are unchanged. Every step
    equals a full refresh at its as_of."""
    batches = [
        Batch(
            app=[
                app("u1", "page_view", at(minutes=0)),
                app("u2", "workflow_started", at(minutes=5), workflow_id="w-u"),
                Item(_app_record("v1", "page_view", at(hours=2), "v")),
            ]
        ),
        Batch(),
        # u's next session starts after as_of (and beyond the gap): u's first is not the last.
        Batch(app=[app("u3", "page_view", at(minutes=50))]),
        Batch(),
    ]
    as_ofs = [
        spell_timestamp_utc(at(hours=2, minutes=10)),  # u closed by time, v open
        spell_timestamp_utc(at(minutes=20)),  # back: u open, v's events come after as_of
        spell_timestamp_utc(at(minutes=20)),  # u has a later session now: closed
        None,  # the latest event (v's): v open
    ]
    only_app = {f"{source}_enabled": False for source in ("chat", "segment", "mooc")}
    steps = build_step_by_step(batches, tmp_path, as_ofs, only_app)
    assert [_open_sessions(sessions) for sessions, _ in steps] == [
        {("app", "v", 1)},
        {("app", "u", 1)},
        set(),
        {("app", "v", 1)},
    ]
    assert [_statuses(workflows) for _, workflows in steps] == [
        {"w-u": "abandoned"},
        {"w-u": "in_progress"},
        {"w-u": "abandoned"},
        {"w-u": "abandoned"},
    ]
