"""The commands the README test knows how to run, and the check that every command block of
README.md and docs/*.md is run by it or carries a marker.

A command is matched against the table by its normalized text (a full match of the pattern).
A command in a block without a marker that no entry matches fails the check, with its file and
line: a new command in the README needs a way to test it (an entry here) or a marker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from blocks import Block, Command, Document, documents, is_command_block

# Literal `127.0.0.1:<port>` in a command is the service's default port, which the test moves
# to a free one (the Makefile's SESSIONS_*_PORT variable).
DEFAULT_PORTS = {
    "collector": 8000,
    "dagster": 3000,
    "airflow": 8080,
    "dashboard": 8501,
    "docs": 8080,
}
PORT_VARIABLES = {
    "collector": "SESSIONS_COLLECTOR_PORT",
    "dagster": "SESSIONS_DAGSTER_PORT",
    "airflow": "SESSIONS_AIRFLOW_PORT",
    "dashboard": "SESSIONS_DASHBOARD_PORT",
    "docs": "SESSIONS_DOCS_PORT",
}


@dataclass(frozen=True)
class Handler:
    """How the test runs a command. kind: `run` (in the document's shell, exit status 0, then
    `check` on its output), `server` (started in the background on a free port, probed with
    `probe`, stopped when the next server starts or the document ends), `interactive` (in a
    terminal, driven by `probe`), `ci` (not run here: `.ci/run` runs it, checked)."""

    name: str
    pattern: str
    kind: str
    probe: str = ""
    timeout_seconds: float = 900

    def matches(self, text: str) -> bool:
        return re.fullmatch(self.pattern, text) is not None


DBT = r"\.venv/bin/dbt"
HANDLERS = [
    Handler("make build", r"make build( ARGS=--full-refresh)?", "run", "dbt"),
    Handler("make test", r"make test", "ci"),
    Handler("make help", r"make help", "run", "help"),
    Handler("dbt build", DBT + r" build --profiles-dir profiles( .+)?", "run", "dbt"),
    Handler("make sql", r'make sql Q="[^"]+"', "run", "sql"),
    Handler("make query", r"make query", "interactive", "query"),
    Handler("make docs", r"make docs", "server", "docs"),
    Handler("make dagster", r"make dagster", "server", "dagster_run"),
    Handler(
        "make dagster (SESSIONS_DBT_VARS)",
        r"SESSIONS_DBT_VARS='[^']+' make dagster",
        "server",
        "dagster_load",
    ),
    Handler("make airflow-init", r"make airflow-init", "run"),
    Handler("make airflow", r"make airflow", "server", "airflow"),
    Handler(
        "make collector",
        r"(SESSIONS_COLLECTOR_(WRITE|READ)_KEYS=\S+ )*make collector",
        "server",
        "collector",
    ),
    Handler("export", r"export SESSIONS_[A-Z_]+=\S+", "run"),
    Handler("shell variables", r"[A-Z]+=\S+|[A-Z]+=\"[^\"]*\"(; [A-Z]+=\"[^\"]*\")*", "run"),
    Handler("SID=$(curl ...)", r"SID=\$\(curl .+\)", "run"),
    Handler("curl", r"curl -s .+", "run", "json"),
    Handler(
        "make dashboard", r"(SESSIONS_DASHBOARD_PORT=\d+ )?make dashboard", "server", "dashboard"
    ),
    Handler("make backfill", r"make backfill SOURCE=(chat|segment|mooc|app)", "run", "dbt"),
    Handler("make retention", r"make retention", "run", "retention"),
    Handler("make tracker", r"make tracker(-test)?", "run"),
]


def handler_for(command: Command | str) -> Handler | None:
    text = command if isinstance(command, str) else command.text
    return next((handler for handler in HANDLERS if handler.matches(text)), None)


def marker_problems(root: Path, block: Block) -> list[str]:
    marker = block.marker
    if marker is None or marker.kind == "skip":
        return []
    test = root / marker.path
    if not test.is_file():
        return [f"{block.where}: covered-by {marker.path}: no such file"]
    commands = block.commands()
    wanted = {block.first_line, commands[0].text if commands else block.first_line}
    # A test that reads the block itself, found by its marker, names the marker.
    wanted.add(f"<!-- readme-test: covered-by {marker.path} -->")
    text = " ".join(test.read_text().split())
    if not any(" ".join(item.split()) in text for item in wanted if item):
        return [
            f"{block.where}: covered-by {marker.path}: the file does not mention the block's "
            f"first command or line {block.first_line!r}"
        ]
    return []


def block_commands(docs: list[Document]) -> list[Command]:
    """The commands of every unmarked command block."""
    return [
        command
        for document in docs
        for block in document.blocks
        if is_command_block(block) and block.marker is None
        for command in block.commands()
    ]


def inline_status(command: Command, run_elsewhere: dict[str, Command]) -> str:
    """What the test does with an inline command of the README: `run`, `elsewhere` (a block
    runs the same command), `template` (it holds a `...` the reader fills in)."""
    if command.text in run_elsewhere:
        return "elsewhere"
    if "..." in command.text:
        return "template"
    return "run"


def check(root: Path) -> list[str]:
    """Every problem of the documents: bad markers, covered-by files that do not mention their
    block, and commands the test cannot run (unknown), each with its file and line."""
    docs = documents(root)
    problems: list[str] = []
    for document in docs:
        problems += document.problems
        for block in document.blocks:
            if not is_command_block(block):
                continue
            problems += marker_problems(root, block)
            if block.marker is None and not block.commands():
                problems.append(f"{block.where}: a block without a command and without a marker")
    commands = block_commands(docs)
    for command in commands:
        if handler_for(command) is None:
            problems.append(unknown(command))
    run_elsewhere = {command.text: command for command in commands}
    for document in docs:
        for command in document.inline:
            status = inline_status(command, run_elsewhere)
            if status == "run" and handler_for(command) is None:
                problems.append(unknown(command))
    return problems


def unknown(command: Command) -> str:
    return (
        f"{command.where}: `{command.text}` is a command the README test does not know: add "
        "a way to run it to tests/readme/table.py, or a marker on the line before its block "
        "('<!-- readme-test: skip — <reason> -->' or "
        "'<!-- readme-test: covered-by <test file> -->')"
    )
