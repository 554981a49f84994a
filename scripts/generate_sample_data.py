"""Write the bundled sample input files under data/sample/ (deterministic: same output every run).

Sources: chat/ (JSON lines), segment/ (a JSON array export plus JSON lines), mooc/ (Parquet) and
app/ (JSON lines). Each source also carries a few deliberate bad rows the pipeline must quarantine.

Usage: python scripts/generate_sample_data.py [--out data/sample]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

Event = dict[str, Any]
Timed = tuple[datetime, Event]
Workflow = tuple[str, int, bool]  # workflow_id, events until it resolves, whether it completes

CHAT_START = datetime(2016, 11, 8, 14, 0, 0, tzinfo=UTC)


def _iso(moment: datetime, rng: random.Random) -> str:
    """Render a timestamp in one of the ISO-8601 spellings the chat source emits."""
    style = rng.random()
    if style < 0.7:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if style < 0.85:
        offset = timezone(timedelta(hours=2))
        return moment.astimezone(offset).isoformat()
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def chat_lines(rng: random.Random, users: int = 12, channels: int = 4) -> list[str]:
    """Chat events of several users in bursts separated by idle gaps, shuffled out of time order."""
    events: list[dict[str, str]] = []
    for user in range(1, users + 1):
        moment = CHAT_START + timedelta(seconds=rng.randint(0, 600))
        for _burst in range(rng.randint(1, 5)):
            for _message in range(rng.randint(1, 8)):
                events.append(
                    {
                        "event_name": "send_message",
                        "timestamp": _iso(moment, rng),
                        "user_id": str(user),
                        "channel_id": str(rng.randint(1, channels)),
                    }
                )
                moment += timedelta(seconds=rng.choice([1, 5, 12, 29, 30]))
            moment += timedelta(seconds=rng.choice([31, 45, 300, 3600]))
    rng.shuffle(events)
    return [json.dumps(event) for event in events]


def write_chat(out: Path, rng: random.Random) -> None:
    lines = chat_lines(rng)
    half = len(lines) // 2
    # A few lines the project must quarantine rather than drop.
    bad_lines = [
        '{"event_name": "send_message", "timestamp": "2016-11-08T14:',
        json.dumps(
            {
                "event_name": "send_message",
                "timestamp": "not a time",
                "user_id": "3",
                "channel_id": "1",
            }
        ),
        json.dumps(
            {"event_name": "send_message", "timestamp": "2016-11-08T14:20:00Z", "channel_id": "2"}
        ),
    ]
    folder = out / "chat"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "messages_part1.jsonl").write_text("\n".join(lines[:half]) + "\n", encoding="utf-8")
    (folder / "messages_part2.jsonl").write_text(
        "\n".join(lines[half:] + bad_lines) + "\n", encoding="utf-8"
    )


# ---------------------------------------------------------------- shared helpers


def _iso_z(moment: datetime) -> str:
    """Render a timestamp as UTC ISO-8601 with a Z suffix; milliseconds only when there are any."""
    moment = moment.astimezone(UTC)
    if moment.microsecond:
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _step(rng: random.Random, seconds: float) -> timedelta:
    """A step of `seconds`, plus a millisecond part on about a third of the steps."""
    millis = rng.randint(1, 999) if rng.random() < 0.33 else 0
    return timedelta(seconds=seconds, milliseconds=millis)


def _shuffle_a_bit(items: list[Any], rng: random.Random, window: float = 5.0) -> list[Any]:
    """Keep the rough order but let items drift a few places (no longer strictly time-ordered)."""
    keys = [index + rng.uniform(0, window) for index in range(len(items))]
    ranked = sorted(zip(keys, items, strict=True), key=lambda pair: pair[0])
    return [item for _key, item in ranked]


def _with_resent_copies(items: list[Any], rng: random.Random, copies: int) -> list[Any]:
    """Re-deliver exact copies of a few distinct items somewhere after their first delivery."""
    result = list(items)
    for original in sorted(rng.sample(range(len(items) // 2), copies), reverse=True):
        result.insert(rng.randint(original + 1, len(result)), items[original])
    return result


def _write_lines(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- segment

SEGMENT_START = datetime(2024, 1, 2, 12, 0, tzinfo=UTC)
SEGMENT_STREAM_FROM = datetime(2024, 1, 4, 12, 0, tzinfo=UTC)  # later: events_stream.jsonl
SEGMENT_LATE_LOGIN = datetime(2024, 1, 4, 15, 0, tzinfo=UTC)
SEGMENT_KINDS = [
    "known",
    "converts",
    "known",
    "converts",
    "anonymous",
    "converts",
    "known",
    "shared_device",
    "converts",
    "mobile",
    "anonymous",
    "converts",
    "late_identify",
    "known",
    "mobile",
]
SEGMENT_PAGES = [
    ("/", "Home"),
    ("/pricing", "Pricing"),
    ("/features", "Features"),
    ("/blog/launch", "Launch post"),
    ("/signup", "Sign up"),
    ("/docs", "Docs"),
]
SEGMENT_TRACKS: dict[str, Event] = {
    "Button Clicked": {"button": "get_started"},
    "Feature Used": {"feature": "export"},
    "Plan Selected": {"plan": "pro"},
    "Search Performed": {"query": "pricing api"},
    "Video Played": {"video": "intro", "position": 0},
}
SEGMENT_SCREENS = ["Home Screen", "Feed", "Settings", "Profile"]
SEGMENT_SCREEN_SIZES: list[Event] = [  # a width without a height gives no screen_size
    {"width": 1920, "height": 1080},
    {"width": 1440, "height": 900},
    {"width": 2560, "height": 1440},
    {"width": 1280},
]
SEGMENT_REFERRERS = [
    None,
    None,
    "https://www.google.com/",
    "https://twitter.com/",
    "https://www.example.com/blog",
    "https://docs.example.com/start",
]
SEGMENT_CAMPAIGNS = [None, None, None, "winter_sale", "newsletter_2024_01"]


def segment_seed_events() -> list[Event]:
    """The issue's worked example, six events that must stay first in events.json."""
    rows = [
        ("identify", None, "user_001", None, "2024-01-01T09:00:00Z"),
        ("track", "Signup Completed", "user_001", None, "2024-01-01T09:02:00Z"),
        ("track", "Login", "user_001", None, "2024-01-02T08:30:00Z"),
        ("track", "Feature Used", "user_001", None, "2024-01-02T08:35:00Z"),
        ("track", "Feature Used", None, "anon_456", "2024-01-02T10:00:00Z"),
        ("identify", None, "user_002", None, "2024-01-02T10:05:00Z"),
    ]
    events = []
    for number, (kind, name, user_id, anonymous_id, timestamp) in enumerate(rows, start=1):
        event: Event = {"type": kind}
        if name is not None:
            event["event"] = name
        event.update(userId=user_id, anonymousId=anonymous_id, messageId=f"seed-msg-{number:03d}")
        event.update(timestamp=timestamp, properties={}, context={})
        events.append(event)
    return events


def _segment_event(
    kind: str,
    moment: datetime,
    identity: tuple[str | None, str | None],
    rng: random.Random,
    label: str | None = None,
    properties: Event | None = None,
    context: Event | None = None,
) -> Event:
    """One Segment message; `event` only on track, `name` only on page and screen."""
    event: Event = {"type": kind}
    if kind == "track":
        event["event"] = label
    elif kind in ("page", "screen"):
        event["name"] = label
    event["userId"], event["anonymousId"] = identity
    event["messageId"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    event["timestamp"] = _iso_z(moment)
    event["properties"] = properties or {}
    event["context"] = context or {}
    return event


def _segment_device(rng: random.Random, mobile: bool) -> Event:
    """Context keys describing one visitor's device; each key is present only some of the time."""
    if mobile:
        candidates: Event = {
            "device": {"type": "mobile"},
            "os": {"name": rng.choice(["iOS", "Android"])},
            "screen": {"width": 390, "height": 844},
        }
    else:
        candidates = {
            "device": {"type": rng.choice(["desktop", "desktop", "tablet"])},
            "os": {"name": rng.choice(["macOS", "Windows", "Linux"])},
            "browser": {"name": rng.choice(["Chrome", "Firefox", "Safari"])},
            "screen": rng.choice(SEGMENT_SCREEN_SIZES),
        }
    return {key: value for key, value in candidates.items() if rng.random() < 0.75}


def _segment_page(
    rng: random.Random,
    moment: datetime,
    identity: tuple[str | None, str | None],
    device: Event,
    first: bool,
) -> Event:
    """A page view; the path sits in properties, in context.page, or both."""
    path, title = rng.choice(SEGMENT_PAGES)
    referrer = rng.choice(SEGMENT_REFERRERS) if first else "https://www.example.com/"
    context = dict(device)
    campaign = rng.choice(SEGMENT_CAMPAIGNS) if first else None
    if campaign is not None:
        context["campaign"] = {"name": campaign}
    page = {"path": path} | ({"referrer": referrer} if referrer else {})
    if rng.random() < 0.3:
        context["page"] = page
        return _segment_event("page", moment, identity, rng, title, {"title": title}, context)
    if rng.random() < 0.5:
        context["page"] = page
    properties = page | {"title": title}
    return _segment_event("page", moment, identity, rng, title, properties, context)


def _segment_activity(
    rng: random.Random,
    kind: str,
    moment: datetime,
    identity: tuple[str | None, str | None],
    device: Event,
    first: bool,
) -> Event:
    """A page (or a screen on mobile) or a track call."""
    if kind == "mobile" and (first or rng.random() < 0.6):
        screen = rng.choice(SEGMENT_SCREENS)
        return _segment_event("screen", moment, identity, rng, screen, {}, dict(device))
    if first or rng.random() < 0.55:
        return _segment_page(rng, moment, identity, device, first)
    name = rng.choice(sorted(SEGMENT_TRACKS))
    return _segment_event("track", moment, identity, rng, name, SEGMENT_TRACKS[name], dict(device))


def _segment_logins(
    rng: random.Random, kind: str, bursts: int, user_id: str, number: int
) -> dict[int, str]:
    """Burst index -> the userId the visitor identifies as during that burst."""
    if kind == "converts":
        return {rng.randrange(bursts): user_id}
    if kind == "shared_device":  # one browser, two people: the later login wins the anonymousId
        return {1: user_id, bursts - 1: f"user_{200 + number}"}
    if kind == "late_identify":  # the login lands in events_stream.jsonl
        return {bursts - 1: user_id}
    return {}


def segment_visitor_events(rng: random.Random, number: int, kind: str) -> list[Timed]:
    """A few bursts of one visitor, separated by gaps below and above 1800 s."""
    user_id, anonymous_id = f"user_{100 + number}", f"anon_{1000 + number}"
    device = _segment_device(rng, mobile=kind == "mobile")
    bursts = rng.randint(3, 4) if kind == "shared_device" else rng.randint(2, 4)
    logins = _segment_logins(rng, kind, bursts, user_id, number)
    current = user_id if kind in ("known", "mobile") else None
    carries_anonymous = kind != "known" or rng.random() < 0.5
    moment = SEGMENT_START + timedelta(seconds=rng.randint(0, 30 * 3600))
    events: list[Timed] = []
    for burst in range(bursts):
        if kind == "late_identify" and burst == bursts - 1:
            moment = max(moment, SEGMENT_LATE_LOGIN)
        for position in range(rng.randint(2, 7)):
            if position == 1 and burst in logins:
                current = logins[burst]
                identify = _segment_event("identify", moment, (current, anonymous_id), rng)
                events.append((moment, identify))
                moment += _step(rng, rng.choice([2, 5, 9]))
            identity = (current, anonymous_id if carries_anonymous else None)
            event = _segment_activity(rng, kind, moment, identity, device, first=position == 0)
            events.append((moment, event))
            if number == 1 and burst == 0 and position == 1:
                moment += timedelta(seconds=1800)  # exactly the gap: still the same session
            else:
                moment += _step(rng, rng.choice([5, 20, 45, 90, 300, 900]))
        moment += _step(rng, rng.choice([1801, 2400, 3 * 3600, 20 * 3600, 30 * 3600]))
    return events


def segment_events(rng: random.Random) -> tuple[list[Event], list[Event]]:
    """Generated visitor events split by time into the exported batch and the later stream."""
    timeline = [
        pair
        for number, kind in enumerate(SEGMENT_KINDS, start=1)
        for pair in segment_visitor_events(rng, number, kind)
    ]
    timeline.sort(key=lambda pair: pair[0])
    batch = [event for moment, event in timeline if moment < SEGMENT_STREAM_FROM]
    stream = [event for moment, event in timeline if moment >= SEGMENT_STREAM_FROM]
    return batch, stream


def write_segment(out: Path, rng: random.Random) -> None:
    batch, stream = segment_events(rng)
    exported = segment_seed_events() + _with_resent_copies(_shuffle_a_bit(batch, rng), rng, 2)
    folder = out / "segment"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "events.json").write_text(json.dumps(exported, indent=2) + "\n", encoding="utf-8")
    # A few lines the project must quarantine rather than drop.
    bad_lines = [
        '{"type": "track", "event": "Feature Used", "userId": "user_104", "messageId": "bad-msg-0',
        json.dumps(
            {
                "type": "track",
                "event": "Feature Used",
                "userId": "user_104",
                "anonymousId": None,
                "messageId": "bad-msg-002",
                "properties": {},
                "context": {},
            }
        ),
        json.dumps(
            {
                "type": "page",
                "name": "Pricing",
                "userId": None,
                "anonymousId": None,
                "messageId": "bad-msg-003",
                "timestamp": "2024-01-05T12:00:00Z",
                "properties": {"path": "/pricing"},
                "context": {},
            }
        ),
    ]
    lines = [json.dumps(event) for event in _shuffle_a_bit(stream, rng)]
    _write_lines(folder / "events_stream.jsonl", lines + bad_lines)


# ---------------------------------------------------------------- mooc

MOOC_START = datetime(2024, 2, 5, tzinfo=UTC)
MOOC_SCHEMA = pa.schema(
    [
        ("user_id", pa.int64()),
        ("item_id", pa.int64()),
        ("ts_epoch", pa.int64()),
        ("watch_percentage", pa.float64()),
        ("rating", pa.int64()),
    ]
)


def _watch_percentage(rng: random.Random) -> float:
    roll = rng.random()
    if roll < 0.1:
        return 100.0
    if roll < 0.13:
        return 0.0
    return round(rng.uniform(3, 100), 1)


def mooc_user_rows(rng: random.Random, user_id: int) -> list[Event]:
    """Bursts of one learner's interactions: gaps <= 1800 s inside a burst, > 1800 s between."""
    ts_epoch = int(MOOC_START.timestamp()) + rng.randint(0, 6 * 86400)
    rows: list[Event] = []
    for _burst in range(rng.randint(1, 3)):
        for _interaction in range(rng.randint(1, 6)):
            rating = rng.randint(1, 5) if rng.random() < 0.15 else None
            item_id = rng.randint(501, 560)
            watch = _watch_percentage(rng)
            rows.append(
                {
                    "user_id": user_id,
                    "item_id": item_id,
                    "ts_epoch": ts_epoch,
                    "watch_percentage": watch,
                    "rating": rating,
                }
            )
            ts_epoch += rng.choice([15, 60, 240, 600, 1200, 1799, 1800])
        ts_epoch += rng.choice([1801, 2400, 7200, 86400, 200000])
    return rows


def mooc_rows(rng: random.Random, users: int = 120) -> list[Event]:
    rows = [row for user in range(1, users + 1) for row in mooc_user_rows(rng, user)]
    rows.sort(key=lambda row: row["ts_epoch"])
    # One identical copy: identical MOOC rows are distinct interactions, not duplicates.
    return _with_resent_copies(_shuffle_a_bit(rows, rng), rng, 1)


def write_mooc(out: Path, rng: random.Random) -> None:
    rows = mooc_rows(rng)
    # A row the project must quarantine rather than drop.
    rows.append(
        {
            "user_id": None,
            "item_id": 512,
            "ts_epoch": int(MOOC_START.timestamp()) + 3600,
            "watch_percentage": 42.0,
            "rating": None,
        }
    )
    folder = out / "mooc"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=MOOC_SCHEMA), folder / "interactions.parquet")


# ---------------------------------------------------------------- app

APP_START = datetime(2024, 3, 4, 7, 0, tzinfo=UTC)
APP_END = datetime(2024, 3, 6, 22, 0, tzinfo=UTC)
APP_USERS = 40
APP_POWER_USERS = {5, 17, 29}
APP_STRUGGLING_USERS = {12}
APP_QUICK_USERS = {3, 9, 21, 26, 33, 36}
APP_STILL_ACTIVE_USERS = {14, 38, 40}  # an open session right at the end of the data
APP_PAGES = [
    "/dashboard",
    "/projects",
    "/projects/new",
    "/reports",
    "/settings",
    "/billing",
    "/help",
]
APP_ACTIONS = [
    "click_save",
    "create_project",
    "export_csv",
    "filter_table",
    "invite_member",
    "upload_file",
    "edit_profile",
]
APP_ERRORS = [
    ("E500", "Internal server error"),
    ("TIMEOUT", "Request timed out"),
    ("VALIDATION", "Field 'name' is required"),
]
APP_WORKFLOWS = ["onboarding", "report_export", "invite_team"]
APP_REFERRERS = [None] * 5 + [
    "https://app.example.com/home",
    "https://app.example.com/home",
    "https://news.ycombinator.com/",
    "https://www.google.com/search?q=example+app",
]
APP_ODD_REFERRERS = {  # first session of these users: host parsing edge cases
    2: "https://APP.EXAMPLE.COM/settings",
    7: "https://example.com:8443/login",
    11: "https://notexample.com/blog",
    15: "https://example.com.evil.io/landing",
    19: "example.com/docs?ref=nav",
    23: "https://docs.example.com#intro",
}
APP_CAMPAIGNS = [None] * 6 + ["spring_launch", "newsletter_march"]
APP_DEVICES = {
    "desktop": (["Chrome", "Firefox", "Edge", "Safari"], ["Windows", "macOS", "Linux"]),
    "mobile": (["Safari", "Chrome"], ["iOS", "Android"]),
    "tablet": (["Safari", "Chrome"], ["iPadOS", "Android"]),
}
APP_SCREENS = {
    "desktop": ["1920x1080", "2560x1440", "1366x768"],
    "mobile": ["390x844", "412x915"],
    "tablet": ["820x1180", "1024x1366"],
}
APP_STEPS = {
    "quick": [3, 5, 10, 20],
    "normal": [5, 15, 30, 60, 120, 240, 600],
    "error": [5, 15, 40, 120],
    "struggling": [10, 30, 60, 120],
    "power": [30, 40, 50, 60],
}
APP_SESSION_GAPS = [90, 600, 2400, 6 * 3600, 14 * 3600, 20 * 3600, 26 * 3600]


def _app_event(event_type: str, user_id: str, **fields: Any) -> Event:
    """A tracking event without id and timestamp (added once the whole timeline is sorted)."""
    optional = {key: value for key, value in fields.items() if value is not None}
    return {"event_type": event_type, "user_id": user_id, **optional}


def _app_device(rng: random.Random) -> Event:
    """A user's usual device."""
    kind = rng.choice(["desktop", "desktop", "desktop", "mobile", "tablet"])
    browsers, systems = APP_DEVICES[kind]
    return {
        "type": kind,
        "browser": rng.choice(browsers),
        "os": rng.choice(systems),
        "screen_size": rng.choice(APP_SCREENS[kind]),
    }


def _app_opening(
    rng: random.Random, user_id: str, start: datetime, device: Event, referrer: str | None
) -> list[Timed]:
    """session_start plus the landing page view; the device usually rides on session_start."""
    landing = rng.choice(APP_PAGES)
    placement = rng.random()
    on_start: Event | None = device
    on_page: Event | None = None
    if placement > 0.95:
        on_start = None
    elif placement > 0.88:
        on_start, on_page = None, device
    elif placement > 0.82:
        on_start = {"type": device["type"], "browser": device["browser"]}
    version = rng.choice(["2.3.1", "2.4.0"])
    opening = _app_event(
        "session_start",
        user_id,
        page=landing,
        referrer=referrer,
        campaign=rng.choice(APP_CAMPAIGNS),
        device=on_start,
        details={"app_version": version},
    )
    seen = start if rng.random() < 0.5 else start + _step(rng, rng.randint(1, 4))
    load = {"load_ms": rng.randint(80, 2400)}
    view = _app_event("page_view", user_id, page=landing, device=on_page, details=load)
    return [(start, opening), (seen, view)]


def _app_workflow_step(
    rng: random.Random, user_id: str, page: str, workflow: Workflow
) -> tuple[Event | None, Workflow | None]:
    """Advance an open workflow: after a few events it completes, is retried once, or is dropped."""
    workflow_id, remaining, completes = workflow
    if remaining > 0:
        return None, (workflow_id, remaining - 1, completes)
    if completes:
        done = {"duration_ms": rng.randint(2000, 90000)}
        completed = _app_event(
            "workflow_completed", user_id, page=page, workflow_id=workflow_id, details=done
        )
        return completed, None
    if rng.random() < 0.4:  # started a second time, then abandoned all the same
        retry = _app_event(
            "workflow_started", user_id, page=page, workflow_id=workflow_id, details={}
        )
        return retry, None
    return None, None


def _app_step(
    rng: random.Random,
    user_id: str,
    kind: str,
    page: str,
    workflow: Workflow | None,
    workflow_ids: Iterator[str],
) -> tuple[Event, str, Workflow | None]:
    """One activity event; returns it with the current page and the open workflow."""
    if workflow is not None:
        event, workflow = _app_workflow_step(rng, user_id, page, workflow)
        if event is not None:
            return event, page, workflow
    elif kind in ("normal", "power") and rng.random() < 0.08:
        workflow_id, name = next(workflow_ids), rng.choice(APP_WORKFLOWS)
        started = _app_event(
            "workflow_started", user_id, page=page, workflow_id=workflow_id, details={"name": name}
        )
        return started, page, (workflow_id, rng.randint(1, 5), rng.random() < 0.7)
    roll = rng.random()
    if (kind == "struggling" and roll < 0.55) or (kind == "normal" and roll < 0.03):
        code, message = rng.choice(APP_ERRORS)
        error = _app_event("error", user_id, page=page, details={"code": code, "message": message})
        return error, page, workflow
    if roll < 0.25:
        page = rng.choice(APP_PAGES)
        referrer = "https://app.example.com" + page if rng.random() < 0.3 else None
        load = {"load_ms": rng.randint(80, 2400)}
        view = _app_event("page_view", user_id, page=page, referrer=referrer, details=load)
        return view, page, workflow
    action = rng.choice(APP_ACTIONS)
    target = {"target": rng.choice(["button", "menu", "shortcut"])}
    return _app_event("action", user_id, page=page, action=action, details=target), page, workflow


def _app_activity(
    rng: random.Random,
    user_id: str,
    kind: str,
    timeline: list[Timed],
    workflow_ids: Iterator[str],
) -> None:
    """Append a session's activity to `timeline` (power sessions: until > 50 action events)."""
    moment, landing = timeline[-1]
    page = landing["page"]
    target = {"quick": (1, 4), "normal": (4, 12), "error": (2, 7), "struggling": (10, 14)}
    wanted = rng.randint(52, 58) if kind == "power" else rng.randint(*target[kind])
    counted = 0
    workflow: Workflow | None = None
    while counted < wanted:
        moment += _step(rng, rng.choice(APP_STEPS[kind]))
        event, page, workflow = _app_step(rng, user_id, kind, page, workflow, workflow_ids)
        timeline.append((moment, event))
        counted += kind != "power" or event["event_type"] == "action"
    if kind == "error":  # the session ends on an error
        code, message = rng.choice(APP_ERRORS)
        error = _app_event("error", user_id, page=page, details={"code": code, "message": message})
        timeline.append((moment + _step(rng, rng.randint(1, 30)), error))


def _app_ending(rng: random.Random, user_id: str, kind: str, last: datetime) -> list[Timed]:
    """Maybe a session_end (logout, navigation, timeout after 15 idle minutes, or error)."""
    roll = rng.random()
    moment = last if rng.random() < 0.3 else last + _step(rng, rng.randint(1, 20))
    if kind == "error":
        reason = "error" if roll < 0.4 else None
    elif kind == "quick":
        reason = "logout" if roll < 0.3 else None
    elif roll < 0.45:
        reason = rng.choice(["logout", "logout", "navigation", "timeout"])
        if reason == "timeout":
            moment = last + timedelta(seconds=900)
    else:
        reason = None
    if reason is None:
        return []
    ending = _app_event("session_end", user_id, reason=reason, details={})
    return [(moment, ending)]


def _app_heartbeats(user_id: str, start: datetime, until: datetime) -> list[Timed]:
    """A heartbeat every 300 s after session_start while the tab stays open."""
    beats = []
    moment = start + timedelta(seconds=300)
    while moment < until:
        beats.append((moment, _app_event("heartbeat", user_id, details={"visible": True})))
        moment += timedelta(seconds=300)
    return beats


def _app_session(
    rng: random.Random,
    user_id: str,
    start: datetime,
    kind: str,
    device: Event,
    referrer: str | None,
    workflow_ids: Iterator[str],
    open_ended: bool = False,
) -> list[Timed]:
    """One session: start, landing page, activity, heartbeats and maybe a session_end."""
    timeline = _app_opening(rng, user_id, start, device, referrer)
    if kind == "bounce":  # a session_start and one page_view, then nothing
        return timeline
    _app_activity(rng, user_id, kind, timeline, workflow_ids)
    last = timeline[-1][0]
    ending = [] if open_ended else _app_ending(rng, user_id, kind, last)
    if kind == "error" and not ending and rng.random() < 0.5:
        last += timedelta(seconds=300)  # the tab stays open: a heartbeat after the final error
    timeline += _app_heartbeats(user_id, start, last)
    return sorted(timeline, key=lambda pair: pair[0]) + ending


def _app_resume(rng: random.Random, user_id: str, last: datetime) -> list[Timed]:
    """Activity without a new session_start after a pause (continues or splits the session)."""
    moment = last + timedelta(seconds=rng.choice([120, 1800, 1801, 2700]))
    events: list[Timed] = []
    for _event in range(rng.randint(2, 3)):
        page = rng.choice(APP_PAGES)
        action = _app_event("action", user_id, page=page, action=rng.choice(APP_ACTIONS))
        events.append((moment, action))
        moment += _step(rng, rng.choice([10, 30, 60]))
    return events


def _app_plan(rng: random.Random, number: int) -> list[str]:
    """The kinds of a user's sessions, in order."""
    if number in APP_POWER_USERS:
        return ["power", "power"]
    if number in APP_STRUGGLING_USERS:
        return ["normal", "struggling"]
    if number in APP_QUICK_USERS:
        return [rng.choice(["bounce", "quick"]) for _session in range(rng.randint(2, 4))]
    kinds = ["normal", "error", "bounce", "quick"]
    return rng.choices(kinds, weights=[6, 2, 1.5, 1], k=rng.randint(2, 4))


def app_user_events(rng: random.Random, number: int) -> list[Timed]:
    """All sessions of one user over the three days."""
    user_id = f"usr_{number:02d}"
    device = _app_device(rng)
    workflow_ids = (f"wf_{number:02d}_{index:02d}" for index in itertools.count(1))
    regular = number not in APP_POWER_USERS | APP_STRUGGLING_USERS | APP_QUICK_USERS
    moment = APP_START + timedelta(minutes=rng.randint(0, 40 * 60))
    timeline: list[Timed] = []
    for index, kind in enumerate(_app_plan(rng, number)):
        if moment > APP_END - timedelta(hours=3):
            break
        referrer = rng.choice(APP_REFERRERS)
        if index == 0:
            referrer = APP_ODD_REFERRERS.get(number, referrer)
        timeline += _app_session(rng, user_id, moment, kind, device, referrer, workflow_ids)
        if regular and kind != "bounce" and rng.random() < 0.15:
            timeline += _app_resume(rng, user_id, timeline[-1][0])
        moment = timeline[-1][0] + _step(rng, rng.choice(APP_SESSION_GAPS))
    if number in APP_STILL_ACTIVE_USERS:
        start = APP_END - timedelta(minutes=rng.randint(10, 25))
        start = max(start, timeline[-1][0] + timedelta(seconds=1801))
        timeline += _app_session(rng, user_id, start, "normal", device, None, workflow_ids, True)
    return timeline


def app_lines(rng: random.Random) -> list[str]:
    """Every user's events with ids in time order, lightly shuffled, with re-sent duplicates."""
    timeline = [pair for number in range(1, APP_USERS + 1) for pair in app_user_events(rng, number)]
    timeline.sort(key=lambda pair: pair[0])
    lines = []
    for index, (moment, event) in enumerate(timeline, start=1):
        record = {"event_id": f"evt_{index:06d}", "event_type": event["event_type"]}
        record |= {"timestamp": _iso_z(moment)} | event
        lines.append(json.dumps(record))
    return _with_resent_copies(_shuffle_a_bit(lines, rng, window=8.0), rng, 2)


def write_app(out: Path, rng: random.Random) -> None:
    # A few lines the project must quarantine rather than drop.
    bad_lines = [
        '{"event_id": "evt_900001", "event_type": "page_view", "timestamp": "2024-03-05T1',
        json.dumps(
            {
                "event_id": "evt_900002",
                "event_type": "action",
                "user_id": "usr_07",
                "page": "/projects",
                "action": "click_save",
            }
        ),
        json.dumps(
            {
                "event_id": "evt_900003",
                "event_type": "purchase_made",
                "timestamp": "2024-03-05T12:00:00Z",
                "user_id": "usr_07",
                "page": "/billing",
                "details": {"amount": 49.0, "currency": "USD"},
            }
        ),
    ]
    _write_lines(out / "app" / "events.jsonl", app_lines(rng) + bad_lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("data/sample"))
    args = parser.parse_args()
    # One generator per source, so adding a source never changes another source's files.
    write_chat(args.out, random.Random(20161108))
    write_segment(args.out, random.Random(20240102))
    write_mooc(args.out, random.Random(20240205))
    write_app(args.out, random.Random(20240304))


if __name__ == "__main__":
    main()
