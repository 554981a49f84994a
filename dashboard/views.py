"""The dashboard's views: each draws one section of the page from a Snapshot and a Filter."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from dashboard import charts
from dashboard.data import DURATION_BUCKETS, Filter, Snapshot
from dashboard.live import CollectorConfig, CollectorUnavailable, fetch_active

NO_SESSIONS = (
    "No sessions between {start} and {end} for the selected sources: widen the date range or "
    "select more sources in the sidebar."
)


def utc(moment: datetime | None) -> str:
    return "none" if moment is None else f"{moment:%Y-%m-%d %H:%M:%S} UTC"


def number(value: float | None, unit: str = "", decimals: int = 0) -> str:
    """A KPI as the page shows it: thousands separated, fixed decimals, then the unit."""
    if value is None:
        return "n/a"
    return f"{value:,.{decimals}f}{' ' + unit if unit else ''}"


def _has_sessions(snapshot: Snapshot, selection: Filter) -> bool:
    if snapshot.kpis(selection).sessions:
        return True
    st.info(NO_SESSIONS.format(start=selection.start, end=selection.end))
    return False


def active_now(snapshot: Snapshot, sources: tuple[str, ...]) -> None:
    """The spec's ActiveSessionsWidget: a big number, then one per source."""
    st.subheader("Active now")
    exported, as_of = snapshot.active_by_source()
    counts, note = (
        exported,
        (
            f"From the `active_sessions` export of the last build: sessions still open at "
            f"{utc(as_of)} (the latest event in the data)."
        ),
    )
    config = CollectorConfig.from_environment()
    if config is not None:
        try:
            live, asked_at = fetch_active(config)
            counts = live
            note = f"Live from the collector at {config.url}, asked at {utc(asked_at)}."
        except CollectorUnavailable as error:
            st.warning(
                f"The collector at {config.url} is unavailable: {error}. "
                "Showing the `active_sessions` export of the last build instead."
            )
    # The selected sources, and any the collector knows and the exports do not.
    known = set(snapshot.sources())
    shown = {source: counts.get(source, 0) for source in sources}
    shown.update({source: n for source, n in counts.items() if source not in known})
    columns = st.columns(1 + max(1, len(shown)))
    columns[0].metric("Active now", number(sum(shown.values())), help="users online")
    for column, (source, sessions) in zip(columns[1:], shown.items(), strict=False):
        column.metric(f"Active now: {source}", number(sessions))
    st.caption(note)


def kpis(snapshot: Snapshot, selection: Filter) -> None:
    st.subheader("Sessions in the selected range")
    values = snapshot.kpis(selection)
    counted = snapshot.daily_total(selection)
    if counted > values.sessions:
        st.info(
            f"The daily summaries count {counted:,} sessions in this range, {values.sessions:,} "
            "of which still have their detail: retention removed the others "
            "(docs/retention.md). The figures below and the other tabs count the sessions "
            "kept; the daily charts count every session."
        )
    columns = st.columns(5)
    columns[0].metric("Sessions", number(values.sessions))
    columns[1].metric("Unique users", number(values.unique_users))
    columns[2].metric("Average duration", number(values.avg_duration_seconds, "s", 1))
    columns[3].metric("Bounce rate", number(values.bounce_rate, "%", 2))
    columns[4].metric(
        "Error rate",
        number(values.error_rate, "%", 2),
        help="Sessions with at least one error, of the sources that record errors (app).",
    )


def over_time(snapshot: Snapshot, selection: Filter) -> None:
    st.subheader("Daily summaries")
    rows = snapshot.daily(selection)
    if not rows:
        st.info(NO_SESSIONS.format(start=selection.start, end=selection.end))
        return
    series = (
        ("total_sessions", "Sessions per day", "Sessions (count)"),
        ("unique_users", "Unique users per day", "Users (count)"),
        ("avg_duration_seconds", "Average session duration", "Duration (seconds)"),
        ("bounce_rate", "Bounce rate", "Bounce rate (% of sessions)"),
        ("error_rate", "Error rate (app)", "Error rate (% of sessions)"),
    )
    for left, right in ((0, 1), (2, 3), (4, None)):
        columns = st.columns(2)
        for column, index in zip(columns, (left, right), strict=True):
            if index is None:
                continue
            field, title, y_title = series[index]
            column.markdown(f"**{title}**")
            present = [row for row in rows if row[field] is not None]
            if present:
                column.altair_chart(charts.over_time(present, field, y_title), width="stretch")
            else:
                column.info("No source in the selection records errors (only `app` does).")
    with st.expander("The daily_session_stats rows"):
        st.dataframe(rows, hide_index=True)


def distributions(snapshot: Snapshot, selection: Filter) -> None:
    st.subheader("Session length and duration")
    if not _has_sessions(snapshot, selection):
        return
    left, right = st.columns(2)
    left.markdown("**Events per session**")
    sizes = snapshot.event_count_distribution(selection)
    left.altair_chart(charts.histogram(sizes), width="stretch")
    right.markdown("**Session duration**")
    right.altair_chart(
        charts.bars(
            snapshot.duration_distribution(selection),
            "duration",
            "sessions",
            "Duration",
            "Sessions (count)",
            order=[label for label, _ in DURATION_BUCKETS],
        ),
        width="stretch",
    )
    st.markdown("**Events per session, whole history** (`session_size_stats`)")
    st.dataframe(snapshot.size_stats(selection.sources), hide_index=True)


def pages_and_exits(snapshot: Snapshot, selection: Filter) -> None:
    st.subheader("Entry and exit pages, exit reasons")
    if not _has_sessions(snapshot, selection):
        return
    lists = (
        ("entry_page", "Top entry pages", "Entry page"),
        ("exit_page", "Top exit pages", "Exit page"),
        ("exit_reason", "Exit reasons", "Exit reason"),
    )
    for column, (field, title, axis) in zip(st.columns(3), lists, strict=True):
        column.markdown(f"**{title}**")
        rows = snapshot.top_values(selection, field)
        if rows:
            chart = charts.bars(rows, "value", "sessions", axis, "Sessions (count)", color=False)
            column.altair_chart(chart, width="stretch")
        else:
            column.info(
                f"No session in the selection has an {axis.lower()}: only the app and segment "
                "sources record pages, and only app records exit reasons."
            )


def patterns(snapshot: Snapshot, selection: Filter) -> None:
    st.subheader("User patterns")
    rows = snapshot.patterns(selection.sources)
    if not rows:
        st.info("No users for the selected sources: select more sources, or build with data.")
        return
    st.caption(
        "Each user's pattern over their latest sessions (`user_session_patterns`, whole history)."
    )
    st.altair_chart(
        charts.bars(rows, "pattern", "users", "Pattern", "Users (count)"), width="stretch"
    )


def timeline(snapshot: Snapshot) -> None:
    st.subheader("A user's session timeline")
    user_id = st.text_input("User id", placeholder="e.g. user_001", key="timeline_user").strip()
    if not user_id:
        st.info("Type a user id (as in `user_sessions.user_id`) to see each of their sessions.")
        return
    rows = snapshot.user_timeline(user_id)
    if not rows:
        st.info(f"No session of user `{user_id}`: user ids are text and match exactly.")
        return
    st.caption(f"{len(rows)} sessions of `{user_id}`: bar length is the duration.")
    st.altair_chart(charts.session_timeline(rows), width="stretch")
    st.dataframe(rows, hide_index=True)


def bad_input(snapshot: Snapshot) -> None:
    st.subheader("Bad input")
    rows = snapshot.quarantine_by_reason()
    st.metric("Quarantined records", number(sum(row["records"] for row in rows)))
    st.markdown("**Quarantined records by reason** (`quarantined_events`; see docs/bad-input.md)")
    if rows:
        chart = charts.bars(rows, "rejection_reason", "records", "Reason", "Records (count)")
        st.altair_chart(chart, width="stretch")
    else:
        st.success("No quarantined record: every input record became an event.")
    st.markdown("**Latest runs** (`run_stats`, newest first)")
    runs = snapshot.recent_runs()
    if runs:
        st.dataframe(runs, hide_index=True)
    else:
        st.info("No run recorded yet: run `make build`.")


HOURLY_MEASURES = {
    "Events": "events",
    "Active users": "active_users",
    "Sessions started": "sessions_started",
}


def when_and_what(snapshot: Snapshot, selection: Filter) -> None:
    """When users are active (hourly_activity) and which features they use together
    (feature_pairs), over the whole history of the selected sources."""
    st.subheader("When users are active")
    sources = snapshot.hourly_sources(selection.sources)
    if not sources:
        st.info("No events for the selected sources: select more sources in the sidebar.")
    else:
        left, right = st.columns(2)
        source = left.selectbox("Source", sources, key="hourly_source")
        label = right.selectbox("Measure", list(HOURLY_MEASURES), key="hourly_measure")
        measure = HOURLY_MEASURES[label]
        rows = snapshot.hourly(source)
        busiest = max(rows, key=lambda row: (row[measure], -row["utc_weekday"], -row["utc_hour"]))
        st.metric(f"{label} in the busiest hour", number(busiest[measure]))
        weekday = charts.WEEKDAYS[busiest["utc_weekday"] - 1]
        st.caption(
            f"`hourly_activity`, whole history: each cell sums every week. Busiest for {source}:"
            f" {weekday} {busiest['utc_hour']:02d}:00 UTC. Active users are distinct per cell."
        )
        st.altair_chart(charts.heatmap(rows, measure, label), width="stretch")

    st.subheader("Features used together")
    pairs = snapshot.feature_pairs(selection.sources)
    st.metric("Feature pairs", number(len(pairs)))
    if not pairs:
        st.info(
            "No pair of actions reaches the minimum support (var feature_pairs_min_support) for "
            "the selected sources: only app actions and Segment track events name features."
        )
        return
    st.caption(
        "`feature_pairs`, whole history: support is the share of the source's sessions with an "
        "action that used both; confidence a -> b the share of a's sessions that used b; lift "
        "above 1 means used together more often than by chance."
    )
    st.dataframe(pairs, hide_index=True)


STATUS_LABELS = {
    "abandoned": "Abandoned workflows",
    "failed": "Failed workflows",
    "in_progress": "Workflows in progress",
}


def unfinished_workflows(snapshot: Snapshot, selection: Filter) -> None:
    """Workflows started and not completed in their session (abandoned_workflows), by workflow
    and by the UTC day they started, for the sidebar's days and sources."""
    st.subheader("Unfinished workflows")
    counts = snapshot.unfinished_by_status(selection)
    columns = st.columns(len(STATUS_LABELS))
    for column, (status, label) in zip(columns, STATUS_LABELS.items(), strict=True):
        column.metric(label, number(counts.get(status, 0)))
    if not counts:
        st.info(
            "No unfinished workflow in the selected days and sources: only app sessions have "
            "workflows (workflow_started / workflow_completed events)."
        )
        return
    st.caption(
        "`abandoned_workflows`: started and not completed in the same session. In progress: "
        "the session is still open at the build's as_of; failed: an error came after the start; "
        "abandoned: the rest. Counted on the UTC day the workflow started."
    )
    st.markdown("**By workflow**")
    by_workflow = snapshot.unfinished_by_workflow(selection)
    st.altair_chart(charts.unfinished_by_workflow(by_workflow), width="stretch")
    st.markdown("**By day**")
    st.altair_chart(
        charts.unfinished_by_day(snapshot.unfinished_by_day(selection)), width="stretch"
    )
