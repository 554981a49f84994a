"""The sessions dashboard (Streamlit): `make dashboard`, then http://127.0.0.1:8501.

It reads the exports of the last `dbt build` (SESSIONS_EXPORT_DIR, default `exports/`), never
the warehouse, and reloads them when a build writes a new manifest.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import streamlit as st

from dashboard import views
from dashboard.data import (
    BUILD_HINT,
    ExportError,
    Filter,
    Manifest,
    NoBuildYet,
    Snapshot,
    export_dir,
)

TABS = (
    "Overview",
    "Distributions",
    "Pages and exits",
    "User patterns",
    "Session timeline",
    "Bad input",
    "When and what",
    "Unfinished workflows",
)


@st.cache_resource(max_entries=2, show_spinner="Reading the exports")
def _snapshot(directory: str, build: str) -> Snapshot:
    """The exports, loaded once per build (the manifest's build id is the cache key: never the
    wall clock, which may have been set back between two builds)."""
    del build
    return Snapshot.load(Path(directory))


def _current_snapshot() -> Snapshot:
    directory = export_dir()
    manifest = Manifest.read(directory)
    return _snapshot(str(directory), manifest.version)


def _initial(bounds: tuple[date, date], sources: list[str]) -> tuple[tuple[date, date], list[str]]:
    """The filter a link asks for (?start=YYYY-MM-DD&end=YYYY-MM-DD&sources=a,b), within what
    the exports hold; the whole history and every source otherwise."""
    params = st.query_params
    try:
        start = date.fromisoformat(params.get("start", bounds[0].isoformat()))
        end = date.fromisoformat(params.get("end", bounds[1].isoformat()))
    except ValueError as error:
        st.warning(f"Ignoring the link's dates ({error}): use start=YYYY-MM-DD&end=YYYY-MM-DD.")
        start, end = bounds
    start, end = max(start, bounds[0]), min(end, bounds[1])
    wanted = [name for name in params.get("sources", ",".join(sources)).split(",") if name]
    unknown = sorted(set(wanted) - set(sources))
    if unknown:
        st.warning(f"No session of the link's sources {', '.join(unknown)} in the exports.")
    return (start, max(start, end)), [name for name in sources if name in wanted]


def _filter(snapshot: Snapshot) -> Filter | None:
    """The sidebar's date range and sources; None when the exports hold no session."""
    bounds = snapshot.date_bounds()
    sources = snapshot.sources()
    if bounds is None:
        return None
    days, chosen = _initial(bounds, sources)
    picked = st.sidebar.date_input(
        "Days of session start (UTC)", value=days, min_value=bounds[0], max_value=bounds[1]
    )
    picked_days = tuple(picked) if isinstance(picked, tuple | list) else (picked,)
    start, end = (picked_days[0], picked_days[-1]) if picked_days else bounds
    chosen = st.sidebar.multiselect("Sources", sources, default=chosen)
    return Filter(start, end, tuple(chosen))


def main() -> None:
    st.set_page_config(page_title="Sessions", layout="wide")
    st.title("Sessions")
    try:
        snapshot = _current_snapshot()
    except NoBuildYet as error:
        st.info(str(error))
        st.stop()
    except ExportError as error:
        st.error(str(error))
        st.stop()
    manifest = snapshot.manifest
    st.caption(
        f"Data through {views.utc(manifest.data_through)} (the latest event), "
        f"exported {views.utc(manifest.exported_at)} by the last build."
    )
    selection = _filter(snapshot)
    overview, sizes, pages, patterns, timeline, bad, when, unfinished = st.tabs(TABS)
    with bad:
        views.bad_input(snapshot)
    if selection is None:
        overview.info(
            "The last build exported no session: point the sources at your files "
            f"(README, 'Pointing it at your data') and build again. {BUILD_HINT} "
            "The Bad input tab shows what was rejected."
        )
        return
    with overview:
        views.active_now(snapshot, selection.sources)
        views.kpis(snapshot, selection)
        views.over_time(snapshot, selection)
    with sizes:
        views.distributions(snapshot, selection)
    with pages:
        views.pages_and_exits(snapshot, selection)
    with patterns:
        views.patterns(snapshot, selection)
    with timeline:
        views.timeline(snapshot)
    with when:
        views.when_and_what(snapshot, selection)
    with unfinished:
        views.unfinished_workflows(snapshot, selection)


main()
