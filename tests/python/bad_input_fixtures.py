"""Input files that mix good records with every kind of bad record, and what the project must
make of each record (used by test_bad_input.py).

Every record is written by these helpers byte for byte, so the expected outcome of each one is
known where it is written: a good record names the user it must be staged for, a bad record the
exact `rejection_reason` it must be quarantined with, a blank line is only counted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

# Small enough that a 5000-byte record is too large, large enough for every other record.
MAX_RECORD_BYTES = 2000
OVERSIZED_PADDING = "p" * 5000
FAR_FUTURE = "2099-01-01T00:00:00Z"
FAR_FUTURE_EPOCH = int(datetime(2099, 1, 1, tzinfo=UTC).timestamp())
BOM = b"\xef\xbb\xbf"
INVALID_UTF8 = b"\xff\xfe"
BASE_TIME = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Record:
    """One line (JSON lines), element (JSON array) or row (Parquet) and its expected outcome."""

    raw: bytes = b""
    reason: str | None = None  # the rejection_reason of a bad record
    user: str | None = None  # the user a good record is staged for
    blank: bool = False
    row: dict[str, Any] | None = None  # a Parquet row

    @property
    def good(self) -> bool:
        return self.reason is None and not self.blank


@dataclass
class InputFile:
    source: str
    path: Path
    records: list[Record]
    first_number: int = 1  # 0 for the single record of an unreadable JSON array file

    @property
    def name(self) -> str:
        return self.path.name

    def numbered(self) -> Iterable[tuple[int, Record]]:
        """(line_number, record) as the project numbers them: 1-based."""
        return enumerate(self.records, start=self.first_number)


@dataclass
class Fixtures:
    root: Path
    files: list[InputFile] = field(default_factory=list)

    def paths(self) -> dict[str, str]:
        return {
            "chat_events_path": str(self.root / "chat" / "*.jsonl"),
            "segment_events_path": str(self.root / "segment" / "*"),
            "mooc_interactions_path": str(self.root / "mooc" / "*.parquet"),
            "app_events_path": str(self.root / "app" / "*.jsonl"),
        }

    def expected_quarantine(self) -> set[tuple[str, str, int, str]]:
        return {
            (f.source, f.name, number, r.reason)
            for f in self.files
            for number, r in f.numbered()
            if r.reason is not None
        }

    def expected_staged(self, source: str) -> set[tuple[str, int, str]]:
        return {
            (f.name, number, r.user)
            for f in self.files
            if f.source == source
            for number, r in f.numbered()
            if r.good
        }

    def expected_users(self) -> set[tuple[str, str]]:
        return {(f.source, r.user) for f in self.files for r in f.records if r.good}


# ------------------------------------------------------------------------------------------
# Records
# ------------------------------------------------------------------------------------------


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def good(value: dict[str, Any], user: str) -> Record:
    return Record(_json(value), user=user)


def bad(value: Any, reason: str) -> Record:
    """A bad record: raw bytes as given, anything else as its JSON text."""
    raw = value if isinstance(value, bytes) else _json(value)
    return Record(raw, reason=reason)


def blank(raw: bytes = b"") -> Record:
    return Record(raw, blank=True)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _without(value: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in value.items() if k not in names}


def _with(value: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**value, **changes}


def unreadable_lines(template: dict[str, Any]) -> list[Record]:
    """Lines that are not a usable JSON object, whatever the source (`template` is a good one)."""
    text = _json(template)
    return [
        bad(text[: len(text) // 2], "invalid_json"),  # truncated
        bad(text + b" trailing garbage", "invalid_json"),
        bad(text + b"}", "invalid_json"),
        bad(b'"x"', "not_a_json_object"),
        bad(b"7", "not_a_json_object"),
        bad(b"null", "not_a_json_object"),
        bad(b"true", "not_a_json_object"),
        bad(b"[" + text + b"]", "not_a_json_object"),
        bad(_with(template, padding=OVERSIZED_PADDING), "record_too_large"),
    ]


def invalid_utf8_lines(template: dict[str, Any]) -> list[Record]:
    text = _json(template)
    return [
        bad(INVALID_UTF8, "invalid_utf8"),
        bad(text.replace(b'":', b'\xff":', 1), "invalid_utf8"),
        bad(text[:-1] + b', "note": "caf\xe9"}', "invalid_utf8"),  # Latin-1, not UTF-8
    ]


def blank_lines() -> list[Record]:
    return [blank(b""), blank(b"   \t ")]


# --- chat ---------------------------------------------------------------------------------


def chat_records(prefix: str, start: datetime, now: datetime) -> list[Record]:
    def message(user: Any, minutes: int, **changes: Any) -> dict[str, Any]:
        value = {
            "event_name": "send_message",
            "timestamp": _iso(start + timedelta(minutes=minutes)),
            "user_id": user,
            "channel_id": "general",
        }
        return _with(value, **changes)

    template = message(f"{prefix}-template", 0)
    return [
        good(message(f"{prefix}-u1", 0), f"{prefix}-u1"),
        *unreadable_lines(template),
        good(message(7, 1), "7"),  # a JSON number where text is fine
        good(message(f"{prefix}-u2", 2, channel_id=42), f"{prefix}-u2"),
        good(message(f"{prefix}-u3", 3, timestamp="2024-03-01 09:03:00"), f"{prefix}-u3"),
        good(message(f"{prefix}-u4", 4, timestamp="2024-03-01T10:04:00.250+01:00"), f"{prefix}-u4"),
        # within future_tolerance_seconds (a day) of the load: accepted
        good(message(f"{prefix}-u5", 0, timestamp=_iso(now + timedelta(hours=1))), f"{prefix}-u5"),
        *blank_lines(),
        bad(_without(message("x", 5), "user_id"), "missing_user_id"),
        bad(message(None, 5), "missing_user_id"),
        bad(message("", 5), "missing_user_id"),
        bad(message("   ", 5), "missing_user_id"),
        bad(message({"id": "u"}, 5), "invalid_user_id"),
        bad(message(["u"], 5), "invalid_user_id"),
        bad(message(7.5, 5), "invalid_user_id"),
        bad(_without(message("x", 5), "timestamp"), "missing_timestamp"),
        bad(message("x", 5, timestamp=""), "missing_timestamp"),
        bad(message("x", 5, timestamp="not a time"), "invalid_timestamp"),
        bad(message("x", 5, timestamp="2024-02-30T10:00:00Z"), "invalid_timestamp"),
        bad(message("x", 5, timestamp={"at": "2024-03-01"}), "invalid_timestamp"),
        bad(message("x", 5, timestamp=FAR_FUTURE), "timestamp_in_future"),
        bad(message("x", 5, timestamp=_iso(now + timedelta(days=3))), "timestamp_in_future"),
        bad(_without(message("x", 5), "event_name"), "missing_event_name"),
        bad(message("x", 5, event_name=""), "missing_event_name"),
        bad(_without(message("x", 5), "channel_id"), "missing_channel_id"),
        bad(message("x", 5, channel_id={"id": 1}), "invalid_channel_id"),
        good(message(f"{prefix}-ünï", 6), f"{prefix}-ünï"),
    ]


# --- segment ------------------------------------------------------------------------------


def segment_records(prefix: str, start: datetime) -> list[Record]:
    counter = iter(range(1, 1000))

    def event(user: Any, minutes: int, **changes: Any) -> dict[str, Any]:
        value = {
            "type": "track",
            "event": "Clicked",
            "userId": user,
            "messageId": f"{prefix}-m{next(counter)}",
            "timestamp": _iso(start + timedelta(minutes=minutes)),
            "properties": {"path": "/home"},
        }
        return _with(value, **changes)

    template = event(f"{prefix}-template", 0)
    return [
        good(event(f"{prefix}-u1", 0), f"{prefix}-u1"),
        *unreadable_lines(template),
        good(event(7, 1), "7"),
        good(event(None, 2, anonymousId=f"{prefix}-anon1"), f"{prefix}-anon1"),
        good(event("", 3, anonymousId=f"{prefix}-anon2"), f"{prefix}-anon2"),
        good(event(f"{prefix}-u3", 4, type="page", name="Home"), f"{prefix}-u3"),
        *blank_lines(),
        bad(_without(event("x", 5), "type"), "missing_type"),
        bad(event("x", 5, type=""), "missing_type"),
        bad(event("x", 5, type={"t": "track"}), "invalid_type"),
        bad(event("x", 5, type="alias"), "unknown_event_type"),
        bad(_without(event("x", 5), "timestamp"), "missing_timestamp"),
        bad(event("x", 5, timestamp=" "), "missing_timestamp"),
        bad(event("x", 5, timestamp="yesterday"), "invalid_timestamp"),
        bad(event("x", 5, timestamp=[2024, 3, 1]), "invalid_timestamp"),
        bad(event("x", 5, timestamp=FAR_FUTURE), "timestamp_in_future"),
        bad(_without(event("x", 5), "userId"), "missing_user_id"),
        bad(event(None, 5), "missing_user_id"),
        bad(event("", 5), "missing_user_id"),
        bad(event("  ", 5, anonymousId=""), "missing_user_id"),
        bad(event({"id": "u"}, 5), "invalid_user_id"),
        bad(event(True, 5), "invalid_user_id"),
        bad(event(None, 5, anonymousId={"id": "a"}), "invalid_anonymous_id"),
        good(event(f"{prefix}-ünï", 6), f"{prefix}-ünï"),
    ]


def segment_array_records(prefix: str, start: datetime) -> list[Record]:
    """Array elements: everything of segment_records that an element of a valid array can be."""
    records = [
        r
        for r in segment_records(prefix, start)
        if not r.blank and r.reason not in ("invalid_json",)
    ]
    return [*records, bad(b'"x"', "not_a_json_object"), bad(b"{}", "missing_type")]


# --- app ----------------------------------------------------------------------------------


def app_records(prefix: str, start: datetime) -> list[Record]:
    counter = iter(range(1, 1000))

    def event(user: Any, minutes: int, **changes: Any) -> dict[str, Any]:
        value = {
            "event_id": f"{prefix}-e{next(counter)}",
            "event_type": "page_view",
            "timestamp": _iso(start + timedelta(minutes=minutes)),
            "user_id": user,
            "page": "/home",
            "device": {"type": "desktop", "browser": "Firefox", "os": "Linux"},
        }
        return _with(value, **changes)

    template = event(f"{prefix}-template", 0)
    numeric_id = 100000 + sum(map(ord, prefix))
    return [
        good(event(f"{prefix}-u1", 0, event_type="session_start"), f"{prefix}-u1"),
        *unreadable_lines(template),
        good(event(7, 1), "7"),
        good(event(f"{prefix}-u2", 2, event_id=numeric_id), f"{prefix}-u2"),
        good(event(f"{prefix}-u3", 3, event_type="heartbeat"), f"{prefix}-u3"),
        *blank_lines(),
        bad(_without(event("x", 5), "event_id"), "missing_event_id"),
        bad(event("x", 5, event_id=""), "missing_event_id"),
        bad(event("x", 5, event_id={"id": 1}), "invalid_event_id"),
        bad(_without(event("x", 5), "event_type"), "missing_event_type"),
        bad(event("x", 5, event_type=" "), "missing_event_type"),
        bad(event("x", 5, event_type=["page_view"]), "invalid_event_type"),
        bad(event("x", 5, event_type="teleport"), "unknown_event_type"),
        bad(event("x", 5, event_type="PAGE_VIEW"), "unknown_event_type"),
        bad(_without(event("x", 5), "user_id"), "missing_user_id"),
        bad(event("", 5), "missing_user_id"),
        bad(event({"id": "u"}, 5), "invalid_user_id"),
        bad(_without(event("x", 5), "timestamp"), "missing_timestamp"),
        bad(event("x", 5, timestamp="31/02/2024 10:00"), "invalid_timestamp"),
        bad(event("x", 5, timestamp={"at": 1}), "invalid_timestamp"),
        bad(event("x", 5, timestamp=FAR_FUTURE), "timestamp_in_future"),
        good(event(f"{prefix}-ünï", 6, event_type="session_end", reason="logout"), f"{prefix}-ünï"),
    ]


# --- mooc ---------------------------------------------------------------------------------

MOOC_SCHEMA = pa.schema(
    [
        ("user_id", pa.string()),
        ("item_id", pa.string()),
        ("ts_epoch", pa.int64()),
        ("watch_percentage", pa.float64()),
        ("rating", pa.float64()),
    ]
)


def mooc_records(prefix: str, start: datetime) -> list[Record]:
    epoch = int(start.timestamp())

    def row(user: str | None, seconds: int | None, **changes: Any) -> dict[str, Any]:
        value = {
            "user_id": user,
            "item_id": "item-1",
            "ts_epoch": None if seconds is None else epoch + seconds,
            "watch_percentage": 50.0,
            "rating": None,
        }
        return _with(value, **changes)

    def good_row(user: str, seconds: int) -> Record:
        return Record(user=user, row=row(user, seconds))

    def bad_row(value: dict[str, Any], reason: str) -> Record:
        return Record(reason=reason, row=value)

    return [
        good_row(f"{prefix}-u1", 0),
        bad_row(row(None, 10), "missing_user_id"),
        bad_row(row("", 10), "missing_user_id"),
        bad_row(row("  ", 10), "missing_user_id"),
        good_row(f"{prefix}-u2", 20),
        bad_row(row("x", None), "missing_timestamp"),
        bad_row(row("x", 0, ts_epoch=FAR_FUTURE_EPOCH), "timestamp_in_future"),
        Record(user=f"{prefix}-u3", row=row(f"{prefix}-u3", 30, item_id=None, rating=4.5)),
    ]


# ------------------------------------------------------------------------------------------
# Writing
# ------------------------------------------------------------------------------------------


def write_lines(
    path: Path,
    records: list[Record],
    *,
    bom: bool = False,
    newline: bytes = b"\n",
    final_newline: bool = True,
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    content = newline.join(r.raw for r in records) + (newline if final_newline else b"")
    path.write_bytes((BOM if bom else b"") + content)


def write_array(path: Path, records: list[Record]) -> None:
    """A JSON array with a byte-order mark and CRLF line endings, one element per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    elements = b",\r\n".join(b"  " + r.raw for r in records)
    path.write_bytes(BOM + b"[\r\n" + elements + b"\r\n]\r\n")


def write_parquet(path: Path, records: list[Record], schema: pa.Schema = MOOC_SCHEMA) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [r.row for r in records]
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)


def _json_lines_files(
    source: str, root: Path, build: Callable[[str], list[Record]]
) -> list[InputFile]:
    """Three files of a JSON-lines source: LF ending with a truncated line; BOM and CRLF; and one
    with invalid UTF-8 lines (which the project reads line by line as bytes) plus BOM and CRLF."""
    folder = root / source
    plain = build(f"{source}-a")
    # The file ends with a truncated line (complete, with its newline: a last line without its
    # newline waits for a later run, see test_grown_files.py).
    plain.append(bad(plain[0].raw[:20], "invalid_json"))
    bom_crlf = build(f"{source}-b")
    invalid = build(f"{source}-c")
    template = json.loads(invalid[0].raw)
    invalid[1:1] = invalid_utf8_lines(template)
    invalid.insert(len(invalid) - 1, bad(INVALID_UTF8 + b" " + _json(template), "invalid_utf8"))
    files = [
        InputFile(source, folder / "a_mixed.jsonl", plain),
        InputFile(source, folder / "b_bom_crlf.jsonl", bom_crlf),
        InputFile(source, folder / "c_invalid_utf8.jsonl", invalid),
    ]
    write_lines(files[0].path, plain)
    write_lines(files[1].path, bom_crlf, bom=True, newline=b"\r\n")
    write_lines(files[2].path, invalid, bom=True, newline=b"\r\n")
    return files


def write_bad_input(root: Path, now: datetime) -> Fixtures:
    """Every source's bad-input files under `root`, and their expected outcomes."""
    fixtures = Fixtures(root)
    fixtures.files += _json_lines_files(
        "chat", root, lambda prefix: chat_records(prefix, BASE_TIME, now)
    )
    fixtures.files += _json_lines_files(
        "segment", root, lambda prefix: segment_records(prefix, BASE_TIME)
    )
    array = segment_array_records("segment-d", BASE_TIME)
    array_file = InputFile("segment", root / "segment" / "d_array.json", array)
    write_array(array_file.path, array)
    # A JSON array that is not valid JSON as a whole: one record, position 0, invalid_json.
    truncated = InputFile(
        "segment",
        root / "segment" / "e_array_truncated.json",
        [bad(b"", "invalid_json")],
        first_number=0,
    )
    truncated.path.write_bytes(b'[\n  {"type": "track", "userId": "u", "timestamp": "2024-03-0')
    fixtures.files += [array_file, truncated]
    fixtures.files += _json_lines_files("app", root, lambda prefix: app_records(prefix, BASE_TIME))

    mooc = mooc_records("mooc-a", BASE_TIME)
    mooc_file = InputFile("mooc", root / "mooc" / "a_rows.parquet", mooc)
    write_parquet(mooc_file.path, mooc)
    # User ids stored as integers in another file: read as text ("7").
    int_schema = pa.schema([("user_id", pa.int64()), *list(MOOC_SCHEMA)[1:]])
    int_rows = [
        Record(user="7", row={"user_id": 7, "item_id": "item-2", "ts_epoch": 1709283600}),
        Record(reason="missing_user_id", row={"user_id": None, "ts_epoch": 1709283600}),
    ]
    int_file = InputFile("mooc", root / "mooc" / "b_int_user_ids.parquet", int_rows)
    write_parquet(int_file.path, int_rows, int_schema)
    fixtures.files += [mooc_file, int_file]
    return fixtures
