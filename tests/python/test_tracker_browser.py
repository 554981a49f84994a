"""The browser tracker as people run it: headless Chromium (Debian's, `make chromium`) driven by
playwright opens demo pages served from one origin that load the built <script> bundle
(`make tracker`) from a second origin and send to the collector, a real process on 127.0.0.1,
with a publishable key bound to the pages' origin. The pages run README's "Tracking a web app"
snippet as it is written. In one browser: two tabs of one user, clicks, a reload, a network lost
and back, closed tabs (their ends go by sendBeacon), a page whose clock runs 2 hours fast, a
session that times out, and the React SessionTracker; then `dbt build` on the landing folder.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from collector_support import PROJECT_DIR, CollectorProcess
from conftest import DbtProject
from playwright.sync_api import BrowserContext, Page, sync_playwright
from test_collector_end_to_end import app_only
from test_dashboard_browser import CHROMIUM, CHROMIUM_FLAGS

TRACKER_DIR = PROJECT_DIR / "tracker"
SCRIPT = TRACKER_DIR / "dist" / "sessions-tracker.js"
REACT_APP = TRACKER_DIR / "dist-demo" / "react-app.js"
PUBLISHABLE_KEY = "pk-browser-test"
END_GRACE_SECONDS = 8  # the client resumes within 10 s by default: a reload takes far less
CLOCK_SKEW = timedelta(hours=2)
IDLE_MS = 2500
MARKER = "<!-- readme-test: covered-by tests/python/test_tracker_browser.py -->"
# A page's clock 2 hours fast (Date and Date.now; performance timers are left alone).
FAST_CLOCK = """(() => {
  const Real = Date, skew = SKEW_MS;
  function Fast(...args) {
    if (!new.target) return Real();
    return args.length ? new Real(...args) : new Real(Real.now() + skew);
  }
  Fast.now = () => Real.now() + skew;
  Fast.parse = Real.parse;
  Fast.UTC = Real.UTC;
  Fast.prototype = Real.prototype;
  globalThis.Date = Fast;
})();""".replace("SKEW_MS", str(int(CLOCK_SKEW.total_seconds() * 1000)))


def readme_snippet() -> str:
    """The fenced block after the marker in README's "Tracking a web app"."""
    readme = (PROJECT_DIR / "README.md").read_text()
    after = readme.split(MARKER, 1)[1]
    match = re.match(r"\s*```\w*\n(.*?)```", after, re.DOTALL)
    assert match, "the marker is not followed by a fenced block"
    return match.group(1)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@functools.cache
def _handler(directory: str) -> type[_Quiet]:
    init = functools.partialmethod(_Quiet.__init__, directory=directory)
    return type("Handler", (_Quiet,), {"__init__": init})


class StaticServer:
    """Files of `directory` on a free 127.0.0.1 port (one origin)."""

    def __init__(self, directory: Path) -> None:
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(str(directory)))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> StaticServer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def write_pages(directory: Path, script_origin: str, collector_url: str) -> None:
    config = (
        f'<script src="{script_origin}/sessions-tracker.js"></script>\n'
        "<script>\n"
        "  const params = new URLSearchParams(location.search);\n"
        f'  const COLLECTOR_URL = "{collector_url}/api/v1/sessions";\n'
        f'  const PUBLISHABLE_KEY = "{PUBLISHABLE_KEY}";\n'
        '  const currentUser = { id: params.get("user") };\n'
        "</script>\n"
    )
    page = "<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>\n{head}</head>"
    page += "<body><main id='main'></main></body></html>"
    (directory / "app.html").write_text(
        page.format(title="app", head=config + f"<script>\n{readme_snippet()}</script>\n")
    )
    idle = (
        "const tracker = new SessionsTracker.SessionManager({ endpoint: COLLECTOR_URL, "
        f"publishableKey: PUBLISHABLE_KEY, inactivityMs: {IDLE_MS} }});\n"
        "tracker.start(currentUser.id);\n"
        'document.addEventListener("click", (event) => '
        'tracker.trackActivity("click", { target: event.target.id }));\n'
    )
    (directory / "idle.html").write_text(
        page.format(title="idle", head=config + f"<script>\n{idle}</script>\n")
    )
    react = (
        "<script>window.DEMO = { endpoint: "
        f'"{collector_url}/api/v1/sessions", key: "{PUBLISHABLE_KEY}", '
        'userId: new URLSearchParams(location.search).get("user") };</script>\n'
    )
    (directory / "react.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>react</title>"
        f"{react}</head><body><div id='root'></div>"
        f'<script src="{script_origin}/react-app.js"></script></body></html>'
    )


@dataclass
class Click:
    user: str
    target: str
    session_id: str  # the tab's session when clicked
    at: datetime  # the real time (the test's clock)


@dataclass
class Run:
    """What the browser did, and what came of it."""

    collector: CollectorProcess
    project: DbtProject
    clicks: list[Click] = field(default_factory=list)
    sessions: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    tabs: dict[str, str] = field(default_factory=dict)
    beacon_ended: list[str] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)

    def expect(self, user: str, session_id: str, exit_reason: str) -> None:
        if (session_id, exit_reason) not in self.sessions.setdefault(user, []):
            self.sessions[user].append((session_id, exit_reason))


def session_of(page: Page) -> str:
    return page.evaluate("tracker.sessionId")


def click(run: Run, page: Page, user: str) -> Click:
    """A click on a new button (its id says which click it was)."""
    target = f"click-{len(run.clicks) + 1:03d}"
    page.evaluate(
        """target => {
            const button = document.createElement("button");
            button.id = target;
            button.textContent = target;
            document.getElementById("main").append(button);
        }""",
        target,
    )
    session_id = session_of(page)
    before = datetime.now(UTC)
    page.click(f"#{target}")
    after = datetime.now(UTC)
    done = Click(user, target, session_id, before + (after - before) / 2)
    run.clicks.append(done)
    return done


def open_page(context: BrowserContext, origin: str, name: str, user: str) -> Page:
    page = context.new_page()
    page.goto(f"{origin}/{name}.html?user={user}")
    page.wait_for_function("typeof tracker !== 'undefined' && tracker.sessionId !== null")
    return page


def wait_until(condition: Any, timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.1)


def tracked_lines(collector: CollectorProcess) -> list[dict[str, Any]]:
    """Every line in the landing folder, published or still open."""
    lines = []
    for path in sorted(collector.landing_dir.iterdir()):
        if ".jsonl" in path.name:
            # An open file may be in the middle of a write: whole lines only.
            whole = path.read_bytes().rpartition(b"\n")[0]
            lines += [json.loads(line) for line in whole.splitlines() if line]
    return lines


def browse(run: Run, context: BrowserContext, origin: str) -> None:
    collector = run.collector

    # Two tabs of one user: a session each.
    one = open_page(context, origin, "app", "tabs")
    two = open_page(context, origin, "app", "tabs")
    run.tabs = {"one": session_of(one), "two": session_of(two)}
    assert run.tabs["one"] != run.tabs["two"]
    for page in (one, two, one, two, one):
        click(run, page, "tabs")

    # A reload: the tab's session resumes, and the clicks before it are not lost.
    reloaded = open_page(context, origin, "app", "reload")
    before = session_of(reloaded)
    click(run, reloaded, "reload")
    reloaded.reload()
    reloaded.wait_for_function("typeof tracker !== 'undefined' && tracker.sessionId !== null")
    assert session_of(reloaded) == before, "resumed after the reload"
    click(run, reloaded, "reload")
    run.expect("reload", before, "navigation")

    # The network goes and comes back: the clicks wait in localStorage, then go, once.
    offline = open_page(context, origin, "app", "offline")
    wait_until(lambda: offline.evaluate("tracker.stats().queued") == 0, what="the start sent")
    context.set_offline(True)
    for _ in range(3):
        click(run, offline, "offline")
    offline.wait_for_timeout(6500)  # the flush timer fired, its send failed
    stored = offline.evaluate(
        "Object.keys(localStorage).filter(k => k !== 'sessions-tracker:tab')"
        ".map(k => JSON.parse(localStorage.getItem(k)))"
        ".filter(s => s.session && s.session.userId === 'offline')"
    )
    assert sum(len(item["body"].get("events", [])) for item in stored[0]["queue"]) == 3
    context.set_offline(False)
    wait_until(lambda: offline.evaluate("tracker.stats().queued") == 0, what="the queue sent")
    run.expect("offline", session_of(offline), "navigation")

    # A page whose clock runs 2 hours fast: another device's browser (tabs of one browser share
    # the machine's clock).
    assert context.browser is not None
    fast_context = context.browser.new_context()
    fast_context.add_init_script(FAST_CLOCK)
    fast_page = fast_context.new_page()
    fast_page.goto(f"{origin}/app.html?user=fast")
    fast_page.wait_for_function("typeof tracker !== 'undefined' && tracker.sessionId !== null")
    skew = fast_page.evaluate("Date.now()") / 1000 - time.time()
    assert abs(skew - CLOCK_SKEW.total_seconds()) < 5
    for _ in range(2):
        click(run, fast_page, "fast")
    run.expect("fast", session_of(fast_page), "navigation")

    # Idle past the timeout: the session ends as timeout at its last click, a new one starts.
    idle = open_page(context, origin, "idle", "idle")
    first = click(run, idle, "idle")
    idle.wait_for_timeout(IDLE_MS + 1500)
    second = click(run, idle, "idle")
    assert second.session_id == first.session_id, "the page had not noticed yet"
    now_session = session_of(idle)
    assert now_session != first.session_id
    second.session_id = now_session
    run.expect("idle", first.session_id, "timeout")
    run.expect("idle", now_session, "navigation")
    # Closed now: left open, its short inactivity would time its second session out too.
    idle.close(run_before_unload=True)

    # The React SessionTracker: started on mount, an activity, ended on unmount.
    react = context.new_page()
    react.goto(f"{origin}/react.html?user=react")
    react.wait_for_function("document.querySelector('#save')?.dataset.session")
    react_session = react.get_attribute("#save", "data-session")
    assert react_session
    react.click("#save")
    react.wait_for_timeout(500)  # its flush timer (200 ms)
    react.click("#leave")
    react.wait_for_selector("#left")
    run.expect("react", react_session, "navigation")

    # A tab closed: its end goes by sendBeacon and is written after the grace.
    for page in (two, one, reloaded, offline, fast_page, react):
        if page is two:
            run.beacon_ended.append(run.tabs["two"])
        page.close(run_before_unload=True)
    run.beacon_ended += [run.tabs["one"], before, now_session]
    for session_id in run.tabs.values():
        run.expect("tabs", session_id, "navigation")
    ends = {session_id for user in run.sessions.values() for session_id, _ in user}
    wait_until(
        lambda: (
            ends
            <= {
                line["session_id"]
                for line in tracked_lines(collector)
                if line["event_type"] == "session_end"
            }
        ),
        timeout=END_GRACE_SECONDS + 15,
        what="every session's end",
    )
    fast_context.close()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make chromium` installs Debian's chromium")
    for built in (SCRIPT, REACT_APP):
        if not built.exists():
            pytest.fail(f"{built} is missing: `make tracker` builds it")
    workdir = tmp_path_factory.mktemp("tracker-browser")
    pages, scripts = workdir / "pages", workdir / "scripts"
    pages.mkdir()
    scripts.mkdir()
    # The built files, served from a second origin (the React app too).
    for built in (SCRIPT, REACT_APP):
        (scripts / built.name).write_bytes(built.read_bytes())
    with StaticServer(pages) as page_server, StaticServer(scripts) as script_server:
        collector = CollectorProcess(
            workdir,
            {
                "SESSIONS_COLLECTOR_PUBLISHABLE_KEYS": PUBLISHABLE_KEY,
                "SESSIONS_COLLECTOR_ALLOWED_ORIGINS": page_server.origin,
                "SESSIONS_COLLECTOR_END_GRACE_SECONDS": str(END_GRACE_SECONDS),
                "SESSIONS_COLLECTOR_ROTATE_SECONDS": "1",
                "SESSIONS_COLLECTOR_ACCESS_LOG": "true",
            },
        ).start()
        run = Run(collector, DbtProject(workdir / "dbt"))
        write_pages(pages, script_server.origin, collector.url)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS
                )
                try:
                    context = browser.new_context()
                    browse(run, context, page_server.origin)
                    context.close()
                finally:
                    browser.close()
        finally:
            collector.stop()
    run.lines = collector.published_lines()
    run.project.build(app_only(collector.landing_dir, collector.export_dir))
    yield run


def _lines_of_clicks(run: Run) -> dict[str, list[dict[str, Any]]]:
    by_target: dict[str, list[dict[str, Any]]] = {}
    for line in run.lines:
        target = (line.get("details") or {}).get("target")
        if line["event_type"] == "action" and target:
            by_target.setdefault(target, []).append(line)
    return by_target


def test_every_click_is_one_event_of_its_tabs_session(run: Run) -> None:
    lines = _lines_of_clicks(run)
    assert set(lines) == {click.target for click in run.clicks}
    events = dict(
        run.project.query(
            "select event_id, count(*) from session_events where source = 'app' group by 1"
        )
    )
    for click in run.clicks:
        copies = lines[click.target]
        # A copy sent twice (a fetch cut by the page going, then its beacon) has one id.
        assert len({line["event_id"] for line in copies}) == 1, copies
        line = copies[0]
        assert events.get(line["event_id"]) == 1, click
        assert (line["user_id"], line["session_id"]) == (click.user, click.session_id), click
    # Every line the tracker sent is one event of session_events, and nothing was quarantined.
    assert set(events) == {line["event_id"] for line in run.lines}
    assert set(events.values()) == {1}
    assert run.project.query("select count(*) from quarantined_events") == [(0,)]


def test_two_tabs_of_one_user_keep_sessions_of_their_own_on_the_wire(run: Run) -> None:
    tabs = Counter(
        line["session_id"]
        for line in run.lines
        if line["user_id"] == "tabs" and line["event_type"] == "action"
    )
    assert tabs == {run.tabs["one"]: 3, run.tabs["two"]: 2}
    for tab in run.tabs.values():
        types = [line["event_type"] for line in run.lines if line["session_id"] == tab]
        assert types.count("session_start") == 1 and types.count("session_end") == 1


def test_closed_tabs_ended_by_beacon(run: Run) -> None:
    log = (run.collector.workdir / "collector.log").read_text()
    for session_id in run.beacon_ended:
        assert re.search(rf"POST /api/v1/sessions/{session_id}/end\?key=\S+ HTTP/1.1\" 202", log)
    ends = {line["session_id"]: line for line in run.lines if line["event_type"] == "session_end"}
    for session_id in run.beacon_ended:
        assert ends[session_id]["reason"] == "navigation"
        # Written at the moment the page went, not when the grace was over.
        received = datetime.fromisoformat(ends[session_id]["received_at"])
        assert datetime.fromisoformat(ends[session_id]["timestamp"]) <= received + timedelta(
            seconds=1
        )


def user_sessions(run: Run, user: str) -> list[tuple[str, str]]:
    return [
        (client_session_id, exit_reason)
        for client_session_id, exit_reason in run.project.query(
            "select client_session_id, exit_reason from user_sessions"
            f" where source = 'app' and user_id = '{user}' order by start_time"
        )
    ]


@pytest.mark.parametrize("user", ["reload", "offline", "fast", "idle", "react"])
def test_user_sessions_are_the_sessions_the_browser_had(run: Run, user: str) -> None:
    assert user_sessions(run, user) == run.sessions[user]


def test_user_sessions_keep_concurrent_tabs_apart(run: Run) -> None:
    """Two tabs of one user open at once are two sessions, each with its client session id."""
    tabs = user_sessions(run, "tabs")
    assert len(tabs) == 2
    assert sorted(tabs) == sorted(run.sessions["tabs"])


def test_event_times_are_the_servers_within_2_seconds(run: Run) -> None:
    """Every click's time in session_events is within 2 s of when the test clicked, the page
    with a clock 2 hours fast included (its raw times, kept in the lines, are 2 hours ahead)."""
    lines = _lines_of_clicks(run)
    times = dict(
        run.project.query("select event_id, event_time from session_events where source = 'app'")
    )
    for click in run.clicks:
        line = lines[click.target][0]
        assert abs(times[line["event_id"]] - click.at) < timedelta(seconds=2), click
        client_time = datetime.fromisoformat(line["client_timestamp"].replace("Z", "+00:00"))
        ahead = CLOCK_SKEW if click.user == "fast" else timedelta(0)
        assert abs(client_time - click.at - ahead) < timedelta(seconds=2), click
    # The sessions' starts are the server's time too.
    starts = run.project.query(
        "select start_time, end_time from user_sessions where source = 'app' and user_id = 'fast'"
    )
    fast_clicks = [click.at for click in run.clicks if click.user == "fast"]
    assert starts[0][0] <= min(fast_clicks) and starts[0][0] > min(fast_clicks) - timedelta(
        seconds=30
    )
