"""Chart helpers (Altair, which Streamlit draws): every axis has a title with its unit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

# The project's sources: each keeps its colour in every chart, whichever sources a chart shows.
SOURCES = ("app", "chat", "mooc", "segment")


def _source_color(frame: pd.DataFrame) -> alt.Color:
    domain = sorted(set(SOURCES) | set(frame["source"]))
    return alt.Color("source:N", title="Source", scale=alt.Scale(domain=domain))


def over_time(rows: Sequence[dict[str, Any]], field: str, y_title: str) -> alt.Chart:
    """One line per source of a daily_session_stats column, by UTC day."""
    frame = pd.DataFrame(rows, columns=["date", "source", field])
    frame["date"] = pd.to_datetime(frame["date"])
    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("date:T", title="Day of session start (UTC)"),
            y=alt.Y(f"{field}:Q", title=y_title),
            color=_source_color(frame),
            tooltip=["date:T", "source:N", alt.Tooltip(f"{field}:Q", title=y_title)],
        )
        .properties(height=260)
    )


def bars(
    rows: Sequence[dict[str, Any]],
    category: str,
    count: str,
    category_title: str,
    count_title: str,
    *,
    order: Sequence[str] | None = None,
    color: bool = True,
) -> alt.Chart:
    """Vertical bars of a count per category (stacked by source when `color`)."""
    frame = pd.DataFrame(rows)
    sort: Any = list(order) if order is not None else "-y"
    encoding: dict[str, Any] = {
        "x": alt.X(f"{category}:N", title=category_title, sort=sort),
        "y": alt.Y(f"sum({count}):Q", title=count_title),
        "tooltip": [f"{category}:N", alt.Tooltip(f"sum({count}):Q", title=count_title)],
    }
    if color:
        encoding["color"] = _source_color(frame)
        encoding["tooltip"].insert(0, "source:N")
    return alt.Chart(frame).mark_bar().encode(**encoding).properties(height=260)


def histogram(rows: Sequence[dict[str, Any]]) -> alt.Chart:
    """Sessions per number of events, stacked by source."""
    frame = pd.DataFrame(rows)
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("event_count:Q", bin=alt.Bin(maxbins=40), title="Events per session"),
            y=alt.Y("sum(sessions):Q", title="Sessions"),
            color=_source_color(frame),
            tooltip=["source:N", alt.Tooltip("sum(sessions):Q", title="Sessions")],
        )
        .properties(height=260)
    )


def session_timeline(rows: Sequence[dict[str, Any]]) -> alt.LayerChart:
    """The spec's SessionTimeline: one bar per session (its duration), labelled with actions."""
    frame = pd.DataFrame(rows)
    frame["duration_minutes"] = frame["duration_seconds"] / 60
    frame["session"] = [
        f"{row.source} #{row.session_number} - {row.start_time:%Y-%m-%d %H:%M} UTC"
        for row in frame.itertuples()
    ]
    actions = frame["action_count"].fillna(0).astype(int)
    frame["label"] = [f"{count} actions" for count in actions]
    y = alt.Y("session:N", title="Session (start, UTC)", sort=list(frame["session"]))
    base = alt.Chart(frame).encode(y=y)
    duration = base.mark_bar().encode(
        x=alt.X("duration_minutes:Q", title="Duration (minutes)"),
        color=_source_color(frame),
        tooltip=[
            "session:N",
            alt.Tooltip("duration_seconds:Q", title="Duration (s)"),
            alt.Tooltip("event_count:Q", title="Events"),
            alt.Tooltip("action_count:Q", title="Actions"),
            alt.Tooltip("error_count:Q", title="Errors"),
            "exit_reason:N",
        ],
    )
    labels = base.mark_text(align="left", dx=4).encode(x="duration_minutes:Q", text="label:N")
    return (duration + labels).properties(height=max(120, 28 * len(frame)))


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def heatmap(rows: Sequence[dict[str, Any]], measure: str, title: str) -> alt.Chart:
    """hourly_activity as a UTC weekday x hour grid (weekday-hours without events stay blank)."""
    frame = pd.DataFrame(
        rows, columns=["utc_weekday", "utc_hour", "sessions_started", "active_users", "events"]
    )
    frame["weekday"] = [WEEKDAYS[day - 1] for day in frame["utc_weekday"]]
    return (
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=alt.X(
                "utc_hour:O", title="Hour of day (UTC)", scale=alt.Scale(domain=list(range(24)))
            ),
            y=alt.Y("weekday:O", title="Weekday (UTC)", scale=alt.Scale(domain=list(WEEKDAYS))),
            color=alt.Color(f"{measure}:Q", title=title, scale=alt.Scale(scheme="blues")),
            tooltip=[
                alt.Tooltip("weekday:O", title="Weekday (UTC)"),
                alt.Tooltip("utc_hour:O", title="Hour (UTC)"),
                alt.Tooltip("sessions_started:Q", title="Sessions started"),
                alt.Tooltip("active_users:Q", title="Active users"),
                alt.Tooltip("events:Q", title="Events"),
            ],
        )
        .properties(height=260)
    )


STATUSES = ("abandoned", "failed", "in_progress")


def _status_color() -> alt.Color:
    return alt.Color("status:N", title="Status", scale=alt.Scale(domain=list(STATUSES)))


def unfinished_by_workflow(rows: Sequence[dict[str, Any]]) -> alt.Chart:
    """Unfinished workflows per workflow id, stacked by status."""
    frame = pd.DataFrame(rows, columns=["workflow_id", "status", "workflows"])
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("workflow_id:N", title="Workflow", sort="-x"),
            x=alt.X("sum(workflows):Q", title="Unfinished workflows (count)"),
            color=_status_color(),
            tooltip=["workflow_id:N", "status:N", "workflows:Q"],
        )
        .properties(height=max(120, 24 * frame["workflow_id"].nunique()))
    )


def unfinished_by_day(rows: Sequence[dict[str, Any]]) -> alt.Chart:
    """Unfinished workflows per UTC day they started, stacked by status."""
    frame = pd.DataFrame(rows, columns=["date", "status", "workflows"])
    frame["date"] = pd.to_datetime(frame["date"])
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("yearmonthdate(date):O", title="Day the workflow started (UTC)"),
            y=alt.Y("sum(workflows):Q", title="Unfinished workflows (count)"),
            color=_status_color(),
            tooltip=[alt.Tooltip("date:T", title="Day"), "status:N", "workflows:Q"],
        )
        .properties(height=260)
    )
