"""The dashboard as it runs: `streamlit run` as a real process on a free 127.0.0.1 port, reading
the exports of a warehouse built here, opened in headless Chromium (Debian's, `make chromium`)
driven by playwright. Each view renders without a Streamlit exception, the numbers on the page
equal the marts read from the warehouse after dbt finished, a first run (no exports) says what
to run, and a build with one source switched off renders. The page is saved as a screenshot
(SESSIONS_DASHBOARD_SCREENSHOT, default target/dashboard.png)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from collector_support import READ_KEY, CollectorProcess, free_port, start_session
from conftest import PROJECT_DIR, DbtProject
from playwright.sync_api import Browser, Page, sync_playwright
from test_dashboard_data import write_exports

from dashboard.data import Filter, Snapshot

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT_SECONDS = 60
DEFAULT_SCREENSHOT = PROJECT_DIR / "target" / "dashboard.png"
TABS = (
    "Distributions",
    "Pages and exits",
    "User patterns",
    "Session timeline",
    "Bad input",
    "When and what",
    "Unfinished workflows",
)
# The filter of the screenshot and of the second comparison: the sample's 2024 sources.
BAD_RECORD = {"source": "app", "rejection_reason": "invalid_json"}
LINK = {"start": "2024-01-01", "end": "2024-03-06", "sources": "app,mooc,segment"}


@dataclass
class Built:
    project: DbtProject
    exports: Path
    variables: dict[str, Any]

    def apply_retention(self, days: int) -> None:
        """`make retention`'s two steps: apply_retention, then the exports again."""
        variables = {
            "export_dir": str(self.exports),
            **self.variables,
            "retention_days": days,
            # A clock on the sample's last app day (retention counts from as_of, else now).
            "as_of": "2024-03-06T12:00:00Z",
        }
        self.project.dbt_ok("run-operation", "apply_retention", variables=variables)
        self.project.build(variables, "--select", "exported_files")


def _build(tmp_path_factory: pytest.TempPathFactory, name: str, **variables: Any) -> Built:
    project = DbtProject(tmp_path_factory.mktemp(name))
    exports = project.workdir / "exports"
    project.build({"export_dir": str(exports), **variables})
    return Built(project, exports, variables)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build(tmp_path_factory, "dashboard")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make chromium` installs Debian's chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield launched
        finally:
            launched.close()


@contextmanager
def dashboard(exports: Path, log: Path, **extra_env: str) -> Iterator[str]:
    """`streamlit run dashboard/app.py` on a free port, reading `exports`; yields its URL."""
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "streamlit"),
        "run",
        "dashboard/app.py",
        "--server.address=127.0.0.1",
        f"--server.port={port}",
        "--server.headless=true",
        "--browser.gatherUsageStats=false",
    ]
    env = {
        **os.environ,
        "SESSIONS_EXPORT_DIR": str(exports),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    env.pop("SESSIONS_COLLECTOR_URL", None)
    env.update(extra_env)
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=PROJECT_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            _wait_until_healthy(url, process, log)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"streamlit did not answer within {START_TIMEOUT_SECONDS} s:\n{log.read_text()}")


def _open(browser: Browser, url: str, expected_text: str) -> Page:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.get_by_text(expected_text).first.wait_for(timeout=30_000)
    _settle(page)
    return page


def _settle(page: Page) -> None:
    """Waits until the script run that draws the page has finished (the app's root element
    says so), then for the browser to draw what it sent."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(
        timeout=30_000
    )
    page.wait_for_timeout(500)


def _assert_no_exception(page: Page, where: str) -> None:
    errors = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]')
    assert errors.count() == 0, f"{where}: {errors.first.inner_text()}"


def _metrics(page: Page, *required: str) -> dict[str, float | None]:
    """Every st.metric on the page: label -> the number shown (None for n/a). Waits until the
    `required` labels are drawn with their values (the browser draws the elements of a finished
    script run a moment later, each kind once its code has loaded)."""
    page.wait_for_function(
        """required => {
            const drawn = new Set();
            for (const metric of document.querySelectorAll('[data-testid="stMetric"]')) {
                const label = metric.querySelector('[data-testid="stMetricLabel"]');
                const value = metric.querySelector('[data-testid="stMetricValue"]');
                if (label && value && value.innerText.trim()) drawn.add(label.innerText.trim());
            }
            return required.every(name => drawn.has(name));
        }""",
        arg=list(required),
        timeout=30_000,
    )
    shown = {}
    for metric in page.locator('[data-testid="stMetric"]').all():
        label = metric.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        value = metric.locator('[data-testid="stMetricValue"]').inner_text().strip()
        number = re.sub(r"[^0-9.\-]", "", value)
        shown[label] = float(number) if number else None
    return shown


def _expected_kpis(project: DbtProject, where: str = "true") -> dict[str, float | None]:
    """The KPIs from the warehouse's marts, rounded as the page shows them."""
    [(sessions, users, duration, bounce, errors)] = project.query(
        f"""
        select count(*), count(distinct user_id), round(avg(duration_seconds), 1),
            round(100 * avg(is_bounce::int), 2),
            round(100 * count(*) filter (where error_count > 0)
                / nullif(count(error_count), 0), 2)
        from user_sessions where {where}
        """
    )
    return {
        "Sessions": sessions,
        "Unique users": users,
        "Average duration": None if duration is None else float(duration),
        "Bounce rate": None if bounce is None else float(bounce),
        "Error rate": None if errors is None else float(errors),
    }


# The page's rounding of each KPI (counts are whole; a tie may round either way).
SHOWN_PRECISION = {"Average duration": 0.1, "Bounce rate": 0.01, "Error rate": 0.01}


def _assert_kpis(page: Page, expected: dict[str, float | None]) -> None:
    shown = _metrics(page, *expected)
    for label, value in expected.items():
        precision = SHOWN_PRECISION.get(label, 0)
        if value is None or shown[label] is None:
            assert shown[label] == value, label
        else:
            assert abs(shown[label] - value) <= precision * 1.01, (label, shown[label], value)


def test_each_view_renders_and_its_numbers_equal_the_marts(
    built: Built, browser: Browser, tmp_path: Path
) -> None:
    project = built.project
    with dashboard(built.exports, tmp_path / "streamlit.log") as url:
        page = _open(browser, url, "Sessions in the selected range")
        _assert_no_exception(page, "Overview")
        _assert_kpis(page, _expected_kpis(project))
        [(daily_sessions,)] = project.query("select sum(total_sessions) from daily_session_stats")
        assert _metrics(page, "Sessions")["Sessions"] == daily_sessions
        active = dict(project.query("select source, count(*) from active_sessions group by 1"))
        sources = [row[0] for row in project.query("select distinct source from user_sessions")]
        shown = _metrics(page, "Active now", *(f"Active now: {source}" for source in sources))
        assert shown["Active now"] == sum(active.values()) > 0
        assert {source: shown[f"Active now: {source}"] for source in sources} == {
            source: active.get(source, 0) for source in sources
        }
        [(data_through,)] = project.query("select max(end_time) from user_sessions")
        assert page.get_by_text(f"Data through {data_through:%Y-%m-%d %H:%M:%S} UTC").count()
        assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 5

        for tab in TABS:
            page.get_by_role("tab", name=tab).click()
            _settle(page)
            _assert_no_exception(page, tab)
        [(quarantined,)] = project.query("select count(*) from quarantined_events")
        assert _metrics(page, "Quarantined records")["Quarantined records"] == quarantined > 0

        [(user, sessions)] = project.query(
            "select user_id, count(*) from user_sessions group by 1 order by 2 desc, 1 limit 1"
        )
        page.get_by_role("tab", name="Session timeline").click()
        page.get_by_label("User id").fill(user)
        page.get_by_label("User id").press("Enter")
        page.get_by_text(f"{sessions} sessions of {user}").wait_for(timeout=30_000)
        _settle(page)
        _assert_no_exception(page, "Session timeline")
        page.close()

        # A link's filter: the KPIs of those days and sources, and the screenshot.
        query = "&".join(f"{key}={value}" for key, value in LINK.items())
        page = _open(browser, f"{url}/?{query}", "Sessions in the selected range")
        _assert_no_exception(page, "Overview of the link")
        sources_sql = ", ".join(f"'{source}'" for source in LINK["sources"].split(","))
        where = (
            f"cast(start_time as date) between '{LINK['start']}' and '{LINK['end']}'"
            f" and source in ({sources_sql})"
        )
        _assert_kpis(page, _expected_kpis(project, where))
        screenshot = Path(os.environ.get("SESSIONS_DASHBOARD_SCREENSHOT", DEFAULT_SCREENSHOT))
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1400, "height": 1500})
        _settle(page)
        page.screenshot(path=str(screenshot))
        page.close()


def test_the_data_layer_equals_the_marts(built: Built) -> None:
    snapshot = Snapshot.load(built.exports)
    bounds = snapshot.date_bounds()
    assert bounds is not None
    kpis = snapshot.kpis(Filter(*bounds, tuple(snapshot.sources())))
    expected = _expected_kpis(built.project)
    assert (kpis.sessions, kpis.unique_users) == (expected["Sessions"], expected["Unique users"])
    assert round(kpis.bounce_rate or 0, 2) == expected["Bounce rate"]
    daily = snapshot.daily(Filter(*bounds, tuple(snapshot.sources())))
    marts = built.project.query(
        "select date, source, total_sessions, unique_users from daily_session_stats"
        " order by date, source"
    )
    assert [
        (row["date"], row["source"], row["total_sessions"], row["unique_users"]) for row in daily
    ] == marts


def test_a_first_run_says_what_to_run(browser: Browser, tmp_path: Path) -> None:
    with dashboard(tmp_path / "exports", tmp_path / "streamlit.log") as url:
        page = _open(browser, url, "No build yet")
        _assert_no_exception(page, "first run")
        assert page.get_by_text("make build").count()
        page.close()


def test_a_build_with_one_source_switched_off_renders_and_after_retention_says_so(
    tmp_path_factory: pytest.TempPathFactory, browser: Browser, tmp_path: Path
) -> None:
    chat_off = _build(tmp_path_factory, "chat_off", chat_enabled=False)
    with dashboard(chat_off.exports, tmp_path / "streamlit.log") as url:
        page = _open(browser, url, "Sessions in the selected range")
        for tab in ("Overview", *TABS):
            page.get_by_role("tab", name=tab).click()
            _settle(page)
            _assert_no_exception(page, tab)
        _assert_kpis(page, _expected_kpis(chat_off.project))
        shown = _metrics(page, "Active now: app", "Sessions")
        assert "Active now: chat" not in shown
        page.close()

        # Retention removes older sessions' detail; the daily summaries keep their days.
        chat_off.apply_retention(days=1)
        [(kept,)] = chat_off.project.query("select count(*) from user_sessions")
        [(counted,)] = chat_off.project.query("select sum(total_sessions) from daily_session_stats")
        assert 0 < kept < counted
        page = _open(browser, url, "Sessions in the selected range")
        _assert_no_exception(page, "after retention")
        page.get_by_text(f"The daily summaries count {counted:,} sessions").wait_for()
        _assert_kpis(page, _expected_kpis(chat_off.project))
        page.close()


def test_exports_without_sessions_say_what_to_do(browser: Browser, tmp_path: Path) -> None:
    write_exports(tmp_path / "exports", [], {"quarantined_events": [BAD_RECORD] * 3})
    with dashboard(tmp_path / "exports", tmp_path / "streamlit.log") as url:
        page = _open(browser, url, "The last build exported no session")
        _assert_no_exception(page, "no sessions")
        page.get_by_role("tab", name="Bad input").click()
        _settle(page)
        assert _metrics(page, "Quarantined records")["Quarantined records"] == 3
        page.close()


def test_active_now_is_the_collectors_live_view_or_says_it_is_down(
    built: Built, browser: Browser, tmp_path: Path
) -> None:
    (tmp_path / "collector").mkdir()
    collector = CollectorProcess(tmp_path / "collector").start()
    try:
        with collector.client() as client:
            for user in ("live_1", "live_2"):
                start_session(client, user)
        env = {"SESSIONS_COLLECTOR_URL": collector.url, "SESSIONS_COLLECTOR_READ_KEY": READ_KEY}
        with dashboard(built.exports, tmp_path / "live.log", **env) as url:
            page = _open(browser, url, "Sessions in the selected range")
            _assert_no_exception(page, "live")
            assert page.get_by_text(f"Live from the collector at {collector.url}").count()
            shown = _metrics(page, "Active now", "Active now: app", "Active now: chat")
            assert (shown["Active now"], shown["Active now: app"], shown["Active now: chat"]) == (
                2,
                2,
                0,
            )
            page.close()
    finally:
        collector.stop()
    # The collector stopped: the page says so and shows the export.
    with dashboard(built.exports, tmp_path / "down.log", **env) as url:
        page = _open(browser, url, "Sessions in the selected range")
        assert page.get_by_text(f"The collector at {collector.url} is unavailable").count()
        [(active,)] = built.project.query("select count(*) from active_sessions")
        assert _metrics(page, "Active now")["Active now"] == active
        page.close()


def test_when_and_what_shows_the_heatmap_and_the_feature_pairs(
    built: Built, browser: Browser, tmp_path: Path
) -> None:
    project = built.project
    [(events, weekday, hour)] = project.query(
        "select events, utc_weekday, utc_hour from hourly_activity where source = 'app'"
        " order by events desc, utc_weekday, utc_hour limit 1"
    )
    [(pairs,)] = project.query("select count(*) from feature_pairs")
    assert pairs > 0
    with dashboard(built.exports, tmp_path / "streamlit.log") as url:
        page = _open(browser, url, "Sessions in the selected range")
        page.get_by_role("tab", name="When and what").click()
        _settle(page)
        _assert_no_exception(page, "When and what")
        shown = _metrics(page, "Events in the busiest hour", "Feature pairs")
        assert shown["Events in the busiest hour"] == events
        assert shown["Feature pairs"] == pairs
        day = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[weekday - 1]
        assert page.get_by_text(f"Busiest for app: {day} {hour:02d}:00 UTC").count()
        panel = page.get_by_role("tabpanel", name="When and what")
        assert panel.locator('[data-testid="stVegaLiteChart"]').count() == 1
        grid = panel.locator('[data-testid="stDataFrame"]')
        grid.wait_for(timeout=30_000)
        assert grid.count() == 1
        page.close()


def test_unfinished_workflows_show_each_status_by_workflow_and_by_day(
    built: Built, browser: Browser, tmp_path: Path
) -> None:
    """The Unfinished workflows tab: a count per status equal to abandoned_workflows' over the
    default filter (every source, every day of session start), and its two charts."""
    project = built.project
    counts = dict(
        project.query(
            """
            select status, count(*) from abandoned_workflows
            where cast(started_at at time zone 'UTC' as date) between
                (select min(cast(start_time at time zone 'UTC' as date)) from user_sessions)
                and (select max(cast(start_time at time zone 'UTC' as date)) from user_sessions)
            group by status
            """
        )
    )
    assert counts.get("abandoned", 0) > 0 and counts.get("failed", 0) > 0
    labels = {
        "abandoned": "Abandoned workflows",
        "failed": "Failed workflows",
        "in_progress": "Workflows in progress",
    }
    with dashboard(built.exports, tmp_path / "streamlit.log") as url:
        page = _open(browser, url, "Sessions in the selected range")
        page.get_by_role("tab", name="Unfinished workflows").click()
        _settle(page)
        _assert_no_exception(page, "Unfinished workflows")
        shown = _metrics(page, *labels.values())
        assert {status: shown[label] for status, label in labels.items()} == {
            status: counts.get(status, 0) for status in labels
        }
        panel = page.get_by_role("tabpanel", name="Unfinished workflows")
        assert panel.get_by_text("By workflow").count() and panel.get_by_text("By day").count()
        charts = panel.locator('[data-testid="stVegaLiteChart"]')
        charts.first.wait_for(timeout=30_000)
        assert charts.count() == 2
        page.close()
