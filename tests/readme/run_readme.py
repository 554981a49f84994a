"""README as an executable document (`make test-readme`).

Checks that every command block of README.md and docs/*.md is run here or carries a marker
(tests/readme/table.py), then copies the project (its tracked and unignored files, as a fresh
clone has them) into a temporary folder and runs the documents' commands there as written,
from a shell whose PATH holds no project environment (session.py): README.md first (its
`make build` creates the copy's .venv), then docs/*.md in name order, each document in a shell
of its own, blocks and the README's inline commands in line order. Long-running commands
(`make dagster`, `make airflow`, `make collector`, `make dashboard`, `make docs`) start on free
ports, are probed as a user would (probes.py) and stopped. A failure names the command, its
file and line, and prints the tail of its output; that document stops there and the next one
runs.

    .venv/bin/python tests/readme/run_readme.py [--check] [--keep] [--only README.md ...]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from blocks import Block, Command, Document, documents, is_command_block
from probes import (
    SERVER_PROBES,
    SERVICE_OF_PROBE,
    Context,
    check_output,
    query,
    wait_for_publish,
)
from session import Failure, Server, Shell, clean_environment, free_port, tail
from table import DEFAULT_PORTS, PORT_VARIABLES, Handler, block_commands, check, handler_for

PROJECT_DIR = Path(__file__).resolve().parents[2]


def copy_project(source: Path, destination: Path) -> None:
    """The files a fresh clone has: tracked and untracked-but-not-ignored ones, as they are in
    the working tree (so uncommitted edits are tested too)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=source,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        path = source / name
        if path.is_file() or path.is_symlink():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target, follow_symlinks=False)


class Runner:
    def __init__(self, project: Path, logs: Path) -> None:
        self.project = project
        self.logs = logs
        self.ports = {service: free_port() for service in DEFAULT_PORTS}
        env = clean_environment()
        env.update({PORT_VARIABLES[service]: str(port) for service, port in self.ports.items()})
        self.context = Context(project, env, logs)
        self.failures: list[str] = []
        self.counts = {"run": 0, "skipped": 0, "covered": 0}

    def say(self, status: str, where: str, text: str, detail: str = "", seconds: float = 0) -> None:
        took = f"{seconds:6.1f} s" if seconds else " " * 8
        line = f"{status:<9} {took}  {where:<22} {text}"
        print(line + (f"  -> {detail}" if detail else ""), flush=True)

    def move_ports(self, source: str) -> tuple[str, int | None]:
        """`source` with the services' default ports moved to this run's free ports; a port
        set in the command itself (SESSIONS_X_PORT=NNNN) moves to a new free port, returned."""
        explicit = None
        match = re.search(r"\b(SESSIONS_[A-Z]+_PORT)=(\d+)\b", source)
        if match:
            explicit = free_port()
            source = source.replace(match[0], f"{match[1]}={explicit}")
        for service, default in DEFAULT_PORTS.items():
            if service != "docs":  # docs and airflow share 8080; a URL on it is Airflow's
                source = re.sub(
                    rf"\b(127\.0\.0\.1|localhost):{default}\b",
                    f"127.0.0.1:{self.ports[service]}",
                    source,
                )
        return source, explicit

    def run_document(self, document: Document, run_elsewhere: dict[str, Command]) -> None:
        items: list[Block | Command] = [*document.blocks, *document.inline]
        items.sort(key=lambda item: item.line)
        shell = Shell(self.project, self.context.env, self.logs / document.path.replace("/", "-"))
        server: Server | None = None
        try:
            for item in items:
                if isinstance(item, Command):
                    server = self.inline(shell, server, item, run_elsewhere)
                elif is_command_block(item):
                    server = self.block(shell, server, item)
        except Failure as failure:
            self.failures.append(str(failure).splitlines()[0])
            print(f"\nFAIL {failure}\n", flush=True)
        finally:
            if server is not None:
                shell.stop(server)
            shell.close()

    def block(self, shell: Shell, server: Server | None, block: Block) -> Server | None:
        marker = block.marker
        if marker is None:
            for command in block.commands():
                server = self.execute(shell, server, command)
        elif marker.kind == "skip":
            self.counts["skipped"] += 1
            self.say("skip", block.where, block.label, marker.reason)
        else:
            self.counts["covered"] += 1
            self.say("covered", block.where, block.label, marker.path)
        return server

    def inline(
        self, shell: Shell, server: Server | None, command: Command, elsewhere: dict[str, Command]
    ) -> Server | None:
        if command.text in elsewhere:
            self.say(
                "elsewhere", command.where, command.text, f"run at {elsewhere[command.text].where}"
            )
            return server
        if "..." in command.text:
            self.counts["skipped"] += 1
            self.say("skip", command.where, command.text, "a template the reader fills in")
            return server
        return self.execute(shell, server, command)

    def execute(self, shell: Shell, server: Server | None, command: Command) -> Server | None:
        """Runs one command; a failure names it (file, line, text) and its handler."""
        handler = handler_for(command)
        if handler is None:  # check() reported it already
            raise Failure(f"{command.where} `{command.text}`: no way to run it")
        started = time.monotonic()
        try:
            server, detail = self._execute(shell, server, command, handler)
        except Failure as failure:
            raise Failure(f"{command.where} `{command.text}` ({handler.name}): {failure}") from None
        except Exception as error:  # a probe's own error: still name the command
            where = f"{command.where} `{command.text}` ({handler.name})"
            logs = sorted(shell.logs.glob("*.log"), key=lambda path: path.stat().st_mtime)
            output = tail(logs[-1]) if logs else ""
            raise Failure(f"{where}: {type(error).__name__}: {error}\n{output}") from error
        if handler.kind == "ci":
            self.say("ci", command.where, command.text, detail)
        else:
            self.counts["run"] += 1
            self.say("ok", command.where, command.text, detail, time.monotonic() - started)
        return server

    def _execute(
        self, shell: Shell, server: Server | None, command: Command, handler: Handler
    ) -> tuple[Server | None, str]:
        source, explicit_port = self.move_ports(command.source)
        if handler.kind == "ci":
            ci = (self.project / ".ci" / "run").read_text().splitlines()
            if command.text not in (line.strip() for line in ci):
                raise Failure(".ci/run does not run it")
            return server, "not run here: .ci/run runs it"
        if handler.kind == "server":
            if server is not None:
                shell.stop(server)
            port = explicit_port or self.ports[SERVICE_OF_PROBE[handler.probe]]
            server = shell.start(source, handler.name, port)
            return server, f"port {port}: {SERVER_PROBES[handler.probe](server, self.context)}"
        if handler.kind == "interactive":
            return server, query(source, self.context, shell.logs / "make-query.log")
        waited = ""
        if (
            server is not None
            and server.name == "make collector"
            and any("ROTATE_SECONDS" in note for note in command.notes)
        ):
            waited = f" (waited {wait_for_publish(self.project):.0f} s for the publish)"
        status, log = shell.run(source, handler.name, handler.timeout_seconds)
        if status != 0:
            raise Failure(f"exited with {status}:\n{tail(log)}")
        try:
            detail = check_output(handler.probe, log.read_text(errors="replace"))
        except Failure as failure:
            raise Failure(f"{failure}\n{tail(log)}") from None
        return server, detail + waited


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check the markers and table")
    parser.add_argument("--keep", action="store_true", help="keep the copy and its logs")
    parser.add_argument("--only", nargs="*", help="run only these documents (README.md first)")
    arguments = parser.parse_args()
    started = time.monotonic()
    problems = check(PROJECT_DIR)
    for problem in problems:
        print(f"CHECK {problem}")
    if problems or arguments.check:
        print(f"{len(problems)} problem(s) in the documents' command blocks")
        return 1 if problems else 0
    docs = documents(PROJECT_DIR)
    run_elsewhere: dict[str, Command] = {}
    for command in block_commands(docs):
        run_elsewhere.setdefault(command.text, command)
    workdir = Path(tempfile.mkdtemp(prefix="readme-test-"))
    project = workdir / "sessions"
    copy_project(PROJECT_DIR, project)
    runner = Runner(project, workdir / "logs")
    print(f"README test in {project} (PATH={runner.context.env['PATH']})", flush=True)
    for document in docs:
        if arguments.only and document.path not in arguments.only:
            continue
        print(f"--- {document.path}", flush=True)
        runner.run_document(document, run_elsewhere)
    minutes = (time.monotonic() - started) / 60
    counts = runner.counts
    print(
        f"\n{counts['run']} commands run, {counts['skipped']} blocks skipped, "
        f"{counts['covered']} covered by other tests, {len(runner.failures)} failed; "
        f"{minutes:.1f} min"
    )
    for failure in runner.failures:
        print(f"FAILED {failure}")
    if runner.failures or arguments.keep:
        print(f"the copy and its logs: {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if runner.failures else 0


if __name__ == "__main__":
    sys.exit(main())
