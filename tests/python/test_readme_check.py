"""The README test's check (tests/readme/table.py), fast enough for `make test`: every command
block of README.md and docs/*.md is run by `make test-readme` or carries a marker, and a new
command without a way to run it fails with its file and line. `make test-readme` runs them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "readme"))

from blocks import documents, split_commands
from table import check, handler_for

PROJECT_DIR = Path(__file__).resolve().parents[2]
FENCE = "```"


def project(tmp_path: Path, readme: str, docs: dict[str, str] | None = None) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text(readme)
    for name, text in (docs or {}).items():
        (tmp_path / "docs" / name).write_text(text)
    return tmp_path


def test_the_projects_documents_pass_the_check() -> None:
    assert check(PROJECT_DIR) == []


def test_every_unmarked_readme_block_is_run_and_the_servers_are_among_them() -> None:
    [readme] = [document for document in documents(PROJECT_DIR) if document.path == "README.md"]
    handled = {
        handler_for(command).name  # type: ignore[union-attr]
        for block in readme.blocks
        if block.marker is None
        for command in block.commands()
    }
    assert {"make build", "make dagster", "make airflow", "make collector", "make dashboard"} <= (
        handled
    )


def test_a_new_command_without_a_test_fails_with_its_file_and_line(tmp_path: Path) -> None:
    root = project(tmp_path, f"# x\n\n{FENCE}bash\nmake build\nmake frobnicate   # new\n{FENCE}\n")
    [problem] = check(root)
    assert problem.startswith("README.md:5: `make frobnicate` is a command the README test")


def test_a_new_inline_command_fails_and_a_template_does_not(tmp_path: Path) -> None:
    readme = 'Run `make build`, then `make frobnicate`; `.venv/bin/dbt show --inline "..."`.\n'
    [problem] = check(project(tmp_path, readme))
    assert problem.startswith("README.md:1: `make frobnicate` is a command")


def test_any_readme_block_counts_but_only_command_blocks_of_docs(tmp_path: Path) -> None:
    readme = f"{FENCE}text\nclient -> collector\n{FENCE}\n"
    docs = {"a.md": f"{FENCE}yaml\nvars: {{}}\n{FENCE}\n\n{FENCE}\nsomething else\n{FENCE}\n"}
    problems = check(project(tmp_path, readme, docs))
    assert [problem.split(":")[0:2] for problem in problems] == [
        ["README.md", "2"],
        ["docs/a.md", "6"],
    ]


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        ("<!-- readme-test: skip — reads the reader's files -->", None),
        ("<!-- readme-test: skip -->", "README.md:line 1: malformed marker"),
        ("<!-- readme-test: skip — -->", "README.md:line 1: malformed marker"),
        ("<!-- readme-test: covered-by tests/t.py -->", None),
        ("<!-- readme-test: covered-by tests/missing.py -->", "no such file"),
        ("<!-- readme-test: covered-by tests/other.py -->", "does not mention"),
        ("<!-- readme-test: covered -->", "malformed marker"),
    ],
)
def test_markers(tmp_path: Path, marker: str, expected: str | None) -> None:
    root = project(tmp_path, f"{marker}\n{FENCE}bash\nmake tracker --all\n{FENCE}\n")
    (root / "tests").mkdir()
    (root / "tests" / "t.py").write_text('"""Runs `make   tracker --all` as written."""\n')
    (root / "tests" / "other.py").write_text("make build\n")
    problems = check(root)
    if expected is None:
        assert problems == []
    else:
        assert len(problems) == 2 if "malformed" in expected else len(problems) == 1
        assert expected in problems[0]


def test_a_marker_must_be_right_before_its_fence(tmp_path: Path) -> None:
    readme = f"<!-- readme-test: skip — later -->\n\n{FENCE}bash\nmake build\n{FENCE}\n"
    [problem] = check(project(tmp_path, readme))
    assert problem == (
        "README.md:1: a marker must be on the line right before the fence of its block"
    )


def test_commands_of_a_block() -> None:
    body = (
        "# first a note\n"
        "curl -s -H 'a: b' http://127.0.0.1:8000/x \\\n"
        '  -d \'{"k": "#not a comment"}\'   # a comment\n'
        "\n"
        "make build   # builds\n"
    )
    first, second = split_commands("README.md", 10, body)
    assert (first.line, first.notes) == (11, ("# first a note",))
    assert (
        first.text == "curl -s -H 'a: b' http://127.0.0.1:8000/x -d '{\"k\": \"#not a comment\"}'"
    )
    assert first.source == "\n".join(body.splitlines()[1:3])
    assert (second.line, second.text, second.notes) == (14, "make build", ())
