"""What the README test checks after a command, the way a user would see it: a server answers on
its port (Dagster's GraphQL, Airflow's REST API, the collector, the dashboard in a browser, the
dbt docs site) and does its job; a command's output looks like what the document promises."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import struct
import sys
import termios
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from session import Failure, Server, tail

AIRFLOW_DAGS = {"sessions_incremental_build", "sessions_retention", "sessions_backfill"}
DAGSTER_JOB = "incremental_build"
AIRFLOW_DAG_RUN = "sessions_incremental_build"


@dataclass
class Context:
    project: Path
    env: dict[str, str]
    logs: Path
    done: set[str] = field(default_factory=set)  # probes whose one-off part already ran


def http(
    url: str,
    data: Any = None,
    method: str | None = None,
    token: str = "",
    timeout: float = 10,
) -> tuple[int, Any]:
    """(status, parsed JSON or text) of one request."""
    body = None if data is None else json.dumps(data).encode()
    request = urllib.request.Request(url, data=body, method=method)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    text = raw.decode(errors="replace")
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def wait_for(server: Server, what: str, timeout_seconds: float, attempt: Callable[[], Any]) -> Any:
    """Calls `attempt` until it returns something other than None; fails when the server
    exits or the time is up."""
    deadline = time.monotonic() + timeout_seconds
    last = ""
    while time.monotonic() < deadline:
        if not server.alive():
            raise Failure(f"{server.name} exited before {what}\n{tail(server.log)}")
        try:
            result = attempt()
        except OSError as error:
            result, last = None, str(error)
        if result is not None:
            return result
        time.sleep(1)
    raise Failure(
        f"{server.name}: no {what} within {timeout_seconds:.0f} s {last}\n{tail(server.log)}"
    )


def url(server: Server, path: str) -> str:
    return f"http://127.0.0.1:{server.port}{path}"


# --- Dagster -------------------------------------------------------------------------------

WORKSPACE = """{ workspaceOrError { __typename ... on Workspace { locationEntries { name loadStatus
  locationOrLoadError { __typename ... on PythonError { message }
    ... on RepositoryLocation { repositories { name jobs { name } } } } } }
  ... on PythonError { message } } }"""
LAUNCH = """mutation($params: ExecutionParams!) { launchRun(executionParams: $params) { __typename
  ... on LaunchRunSuccess { run { runId } } ... on PythonError { message }
  ... on RunConfigValidationInvalid { errors { message } } ... on InvalidSubsetError { message }
  ... on RunConflict { message } ... on UnauthorizedError { message } } }"""
RUN = """query($id: ID!) { runOrError(runId: $id) { __typename ... on Run { status } } }"""
RUN_LOGS = """query($id: ID!) { logsForRun(runId: $id) { __typename ... on EventConnection {
  events { __typename ... on MessageEvent { message level } } } } }"""


def graphql(server: Server, query: str, **variables: Any) -> dict[str, Any]:
    # Generous: on 2 busy cores a launch can take a while to answer, and is not retried.
    body = {"query": query, "variables": variables}
    status, answer = http(url(server, "/graphql"), body, timeout=180)
    if status != 200 or not isinstance(answer, dict) or answer.get("errors"):
        raise Failure(f"dagster GraphQL answered {status}: {str(answer)[:2000]}")
    return answer["data"]


def dagster(server: Server, context: Context, run_job: bool) -> str:
    def loaded() -> list[dict[str, Any]] | None:
        status, answer = http(url(server, "/graphql"), {"query": WORKSPACE})
        if status != 200 or not isinstance(answer, dict) or "data" not in answer:
            return None
        workspace = answer["data"]["workspaceOrError"]
        if workspace["__typename"] != "Workspace":
            raise Failure(f"dagster: the workspace failed to load: {workspace.get('message')}")
        entries = workspace["locationEntries"]
        if not entries or any(entry["loadStatus"] != "LOADED" for entry in entries):
            return None
        return list(entries)

    entries = wait_for(server, "code location loaded (GraphQL)", 300, loaded)
    for entry in entries:
        location = entry["locationOrLoadError"] or {}
        if location.get("__typename") != "RepositoryLocation":
            raise Failure(
                f"dagster: code location {entry['name']} did not load: "
                f"{location.get('message', location)}\n{tail(server.log)}"
            )
    if not run_job:
        return "code location loaded"
    [(location_name, repository)] = [
        (entry["name"], repository)
        for entry in entries
        for repository in entry["locationOrLoadError"]["repositories"]
        if DAGSTER_JOB in {job["name"] for job in repository["jobs"]}
    ]
    params = {
        "selector": {
            "repositoryLocationName": location_name,
            "repositoryName": repository["name"],
            "jobName": DAGSTER_JOB,
        },
        "runConfigData": {},
    }
    launched = graphql(server, LAUNCH, params=params)["launchRun"]
    if launched["__typename"] != "LaunchRunSuccess":
        raise Failure(f"dagster: launching {DAGSTER_JOB} failed: {launched}")
    run_id = launched["run"]["runId"]

    def finished() -> str | None:
        status = graphql(server, RUN, id=run_id)["runOrError"]["status"]
        return status if status in {"SUCCESS", "FAILURE", "CANCELED"} else None

    status = wait_for(server, f"end of run {run_id}", 900, finished)
    if status != "SUCCESS":
        events = graphql(server, RUN_LOGS, id=run_id)["logsForRun"].get("events", [])
        messages = "\n".join(event.get("message", "") for event in events[-25:])
        raise Failure(f"dagster: run {run_id} of {DAGSTER_JOB} ended {status}\n{messages}")
    return f"code location loaded; run of {DAGSTER_JOB} succeeded"


# --- Airflow -------------------------------------------------------------------------------


def airflow(server: Server, context: Context) -> str:
    def healthy() -> dict[str, Any] | None:
        status, health = http(url(server, "/api/v2/monitor/health"))
        if status != 200 or not isinstance(health, dict):
            return None
        return health if health.get("scheduler", {}).get("status") == "healthy" else None

    wait_for(server, "healthy scheduler (/api/v2/monitor/health)", 240, healthy)
    passwords = context.project / ".airflow" / "simple_auth_manager_passwords.json.generated"
    users = json.loads(passwords.read_text())
    username, password = next(iter(users.items()))
    status, answer = http(
        url(server, "/auth/token"), {"username": username, "password": password}, "POST"
    )
    if status not in (200, 201) or "access_token" not in answer:
        raise Failure(f"airflow: /auth/token answered {status}: {answer}")
    token = answer["access_token"]

    def listed() -> list[str] | None:
        status, answer = http(url(server, "/api/v2/dags?limit=100"), token=token)
        if status != 200:
            raise Failure(f"airflow: /api/v2/dags answered {status}: {answer}")
        ids = {dag["dag_id"] for dag in answer["dags"]}
        return sorted(ids) if ids >= AIRFLOW_DAGS else None

    wait_for(server, f"DAGs {sorted(AIRFLOW_DAGS)} listed", 300, listed)
    status, errors = http(url(server, "/api/v2/importErrors"), token=token)
    if status != 200 or errors.get("total_entries") != 0:
        raise Failure(f"airflow: import errors ({status}): {json.dumps(errors)[:3000]}")
    if "airflow run" in context.done:
        return "scheduler healthy; 3 DAGs listed, no import error (run checked before)"
    dag = AIRFLOW_DAG_RUN
    status, answer = http(url(server, f"/api/v2/dags/{dag}"), {"is_paused": False}, "PATCH", token)
    if status != 200:
        raise Failure(f"airflow: unpausing {dag} answered {status}: {answer}")
    status, answer = http(
        url(server, f"/api/v2/dags/{dag}/dagRuns"), {"logical_date": None}, "POST", token
    )
    if status not in (200, 201):
        raise Failure(f"airflow: triggering {dag} answered {status}: {answer}")
    run_id = answer["dag_run_id"]
    run_url = url(server, f"/api/v2/dags/{dag}/dagRuns/{urllib.request.quote(run_id)}")

    def finished() -> str | None:
        status, answer = http(run_url, token=token)
        state = answer.get("state") if status == 200 else None
        return state if state in {"success", "failed"} else None

    state = wait_for(server, f"end of run {run_id}", 900, finished)
    context.done.add("airflow run")
    if state != "success":
        task_logs = sorted(
            (context.project / ".airflow" / "logs").rglob("*.log"), key=lambda p: p.stat().st_mtime
        )
        detail = tail(task_logs[-1]) if task_logs else tail(server.log)
        raise Failure(f"airflow: run {run_id} of {dag} ended {state}\n{detail}")
    return f"scheduler healthy; 3 DAGs, no import error; triggered run of {dag} succeeded"


# --- collector, docs, dashboard --------------------------------------------------------------


def collector(server: Server, context: Context) -> str:
    def answered() -> Any:
        status, health = http(url(server, "/health"))
        return health if status == 200 else None

    health = wait_for(server, "answer on /health", 120, answered)
    return f"/health: {health.get('status') if isinstance(health, dict) else health}"


def docs(server: Server, context: Context) -> str:
    def served() -> str | None:
        status, page = http(url(server, "/"))
        return page if status == 200 else None

    page = wait_for(server, "docs site", 600, served)
    if "dbt" not in str(page):
        raise Failure(f"make docs: / does not look like the dbt docs site: {str(page)[:300]}")
    for artifact in ("manifest.json", "catalog.json"):
        status, answer = http(url(server, f"/{artifact}"))
        if status != 200 or not isinstance(answer, dict):
            raise Failure(f"make docs: /{artifact} answered {status}")
    return "serves index.html, manifest.json and catalog.json"


def dashboard(server: Server, context: Context) -> str:
    """The browser check of tests/python/test_dashboard_browser.py on the running page: every
    tab renders without a Streamlit exception and the sessions shown equal the exports'."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
    import duckdb
    from playwright.sync_api import sync_playwright
    from test_dashboard_browser import (
        CHROMIUM,
        CHROMIUM_FLAGS,
        TABS,
        _assert_no_exception,
        _metrics,
        _open,
        _settle,
    )

    def healthy() -> bool | None:
        status, answer = http(url(server, "/_stcore/health"))
        return True if status == 200 and str(answer).strip() == "ok" else None

    wait_for(server, "answer on /_stcore/health", 120, healthy)
    sessions_file = context.project / "exports" / "user_sessions.parquet"
    [(sessions,)] = duckdb.sql(f"select count(*) from '{sessions_file}'").fetchall()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            page = _open(browser, url(server, "/"), "Sessions in the selected range")
            _assert_no_exception(page, "Overview")
            shown = _metrics(page, "Sessions")["Sessions"]
            if shown != sessions:
                raise Failure(f"dashboard shows {shown} sessions; the export holds {sessions}")
            for tab in TABS:
                page.get_by_role("tab", name=tab).click()
                _settle(page)
                _assert_no_exception(page, tab)
            page.close()
        finally:
            browser.close()
    return f"renders every tab in Chromium; {sessions} sessions as in the export"


SERVER_PROBES: dict[str, Callable[[Server, Context], str]] = {
    "dagster_run": lambda server, context: dagster(server, context, run_job=True),
    "dagster_load": lambda server, context: dagster(server, context, run_job=False),
    "airflow": airflow,
    "collector": collector,
    "docs": docs,
    "dashboard": dashboard,
}
SERVICE_OF_PROBE = {
    "dagster_run": "dagster",
    "dagster_load": "dagster",
    "airflow": "airflow",
    "collector": "collector",
    "docs": "docs",
    "dashboard": "dashboard",
}


# --- output of commands ----------------------------------------------------------------------


def check_output(probe: str, output: str) -> str:
    """What the document promises of a command's output; the line to report."""
    if probe == "sql":
        rows = re.search(r"\((\d+) rows?\)", output)
        if rows is None:
            raise Failure("make sql printed no result table")
        return f"{rows[1]} rows"
    if probe == "help":
        if "build" not in output:
            raise Failure("make help does not list build")
        return f"{len(output.splitlines())} targets"
    if probe == "json":
        try:
            answer = json.loads(output)
        except ValueError as error:
            raise Failure(f"not JSON ({error})") from error
        if isinstance(answer, dict) and "detail" in answer:
            raise Failure(f"the API refused it: {answer['detail']}")
        return output.strip()[:100]
    if probe in ("dbt", "retention"):
        done = [line for line in output.splitlines() if "Done. PASS=" in line]
        return done[-1].split("  ")[-1].strip() if done else "done"
    return "done"


def wait_for_publish(project: Path, landing: str = "landing/app") -> float:
    """Waits until the collector has published every acknowledged line (no open file with
    lines left): what the document's `ROTATE_SECONDS` comment tells the reader to wait for."""
    started = time.monotonic()
    while time.monotonic() - started < 120:
        open_files = [p for p in (project / landing).glob(".*.jsonl.part") if p.stat().st_size]
        if not open_files:
            return time.monotonic() - started
        time.sleep(1)
    raise Failure("the collector did not publish its open file within 120 s")


# --- make query: harlequin in a terminal --------------------------------------------------------

ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[^\[]")


def query(command: str, context: Context, log: Path, timeout_seconds: float = 300) -> str:
    """Runs `command` in a terminal (40x120), waits until harlequin says the database is
    connected, quits with ctrl+q and expects exit status 0."""
    pid, terminal = pty.fork()
    if pid == 0:  # the child: the user's shell running the command
        os.chdir(context.project)
        os.execve("/bin/bash", ["bash", "-c", command], {**context.env, "TERM": "xterm-256color"})
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    screen = b""
    started = time.monotonic()
    quit_at = None
    status = None
    try:
        while time.monotonic() - started < timeout_seconds:
            ready, _, _ = select.select([terminal], [], [], 0.5)
            if ready:
                try:
                    data = os.read(terminal, 65536)
                except OSError:
                    data = b""
                screen += data
            finished, code = os.waitpid(pid, os.WNOHANG)
            if finished:
                status = os.waitstatus_to_exitcode(code)
                break
            if quit_at is None and b"Connected" in ESCAPES.sub(b"", screen):
                time.sleep(1)
                os.write(terminal, b"\x11")  # ctrl+q
                quit_at = time.monotonic()
            if quit_at is not None and time.monotonic() - quit_at > 30:
                break
    finally:
        log.write_bytes(ESCAPES.sub(b"", screen))
        if status is None:
            try:
                os.killpg(os.getpgid(pid), 9)
            except (ProcessLookupError, PermissionError):
                os.kill(pid, 9)
            os.waitpid(pid, 0)
        os.close(terminal)
    if quit_at is None:
        raise Failure(f"harlequin did not show a connected database\n{tail(log)}")
    if status != 0:
        raise Failure(f"harlequin did not quit on ctrl+q with status 0 ({status})\n{tail(log)}")
    return "harlequin connected, quit with ctrl+q"
