"""Copies of an event, as the files deliver them: a Segment messageId or an app event_id sent
twice is one event (the copy loaded first is kept; within one load, the first by file name and
line), while identical records without an id stay distinct events. The base models compute
this where the records are parsed; the staging views show the result, across loads too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import DbtProject

ONLY = {
    "chat_enabled": False,
    "segment_enabled": False,
    "mooc_enabled": False,
    "app_enabled": False,
}


def lines(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)


def segment(message_id: str | None, name: str, at: str = "2024-01-01T09:00:00Z") -> dict[str, Any]:
    record: dict[str, Any] = {"type": "track", "event": name, "userId": "u", "timestamp": at}
    if message_id is not None:
        record["messageId"] = message_id
    return record


def app(event_id: str, page: str) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "event_type": "page_view",
        "user_id": "u",
        "timestamp": "2024-01-01T09:00:00Z",
        "page": page,
    }


def test_segment_message_id_copies_count_once_and_records_without_one_stay_distinct(
    tmp_path: Path,
) -> None:
    landing = tmp_path / "segment"
    landing.mkdir()
    project = DbtProject(tmp_path / "project")
    variables = {
        **ONLY,
        "segment_enabled": True,
        "segment_events_path": str(landing / "*.jsonl"),
        "export_dir": str(tmp_path / "exports"),
    }
    (landing / "a.jsonl").write_text(
        lines(
            [
                segment("m1", "First copy"),
                segment(None, "Same", "2024-01-01T09:01:00Z"),
                segment(None, "Same", "2024-01-01T09:01:00Z"),
                {**segment("m2", "Bad"), "timestamp": "not a time"},
            ]
        )
    )
    (landing / "b.jsonl").write_text(lines([segment("m1", "Late copy")]))
    project.build(variables)
    query = (
        "select message_id, event_name, file_name[-7:], line_number"
        " from staging.stg_segment__events order by file_name, line_number"
    )
    assert project.query(query) == [
        ("m1", "First copy", "a.jsonl", 1),
        (None, "Same", "a.jsonl", 2),
        (None, "Same", "a.jsonl", 3),
    ]

    # A later load: a third copy of m1 is ignored, a third identical record is a third event.
    (landing / "c.jsonl").write_text(
        lines([segment("m1", "Third copy"), segment(None, "Same", "2024-01-01T09:01:00Z")])
    )
    project.build(variables)
    assert project.query(query) == [
        ("m1", "First copy", "a.jsonl", 1),
        (None, "Same", "a.jsonl", 2),
        (None, "Same", "a.jsonl", 3),
        (None, "Same", "c.jsonl", 2),
    ]
    ids = project.query(
        "select count(distinct event_id), count(*) from staging.stg_segment__events"
    )
    assert ids == [(4, 4)]


def test_app_event_id_copies_count_once_the_first_loaded_kept(tmp_path: Path) -> None:
    landing = tmp_path / "app"
    landing.mkdir()
    project = DbtProject(tmp_path / "project")
    variables = {
        **ONLY,
        "app_enabled": True,
        "app_events_path": str(landing / "*.jsonl"),
        "export_dir": str(tmp_path / "exports"),
    }
    (landing / "b.jsonl").write_text(lines([app("e1", "/later")]))
    (landing / "a.jsonl").write_text(lines([app("e1", "/first"), app("e2", "/other")]))
    project.build(variables)
    query = "select event_id, page from staging.stg_app__events order by event_id"
    assert project.query(query) == [("e1", "/first"), ("e2", "/other")]

    (landing / "c.jsonl").write_text(lines([app("e2", "/resent"), app("e3", "/new")]))
    project.build(variables)
    assert project.query(query) == [("e1", "/first"), ("e2", "/other"), ("e3", "/new")]
