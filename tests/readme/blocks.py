"""The commands a user copies from README.md and docs/*.md: fenced code blocks, the marker
comment on the line before a fence, the commands in a block, and the README's inline commands.

Marker convention (an HTML comment on the line right before the opening fence):

    <!-- readme-test: skip — <reason> -->              not run; the reason is required
    <!-- readme-test: covered-by <path of a test> -->  run by that test, which mentions the
                                                       block's first command or snippet line
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# Blocks in these languages are commands a user types; in docs/*.md other languages (yaml,
# jinja, mermaid, text) are files' contents or pictures. Every block of README.md counts.
COMMAND_LANGUAGES = frozenset({"", "bash", "sh", "shell", "console"})
MARKER_PREFIX = "<!-- readme-test:"
MARKER = re.compile(
    r"<!-- readme-test: (?:(?P<skip>skip) — (?P<reason>\S.*?)|covered-by (?P<path>\S+)) -->"
)
FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
INLINE_COMMAND = re.compile(r"`((?:make|\.venv/bin/)[^`]*)`")


@dataclass(frozen=True)
class Marker:
    line: int
    reason: str = ""  # skip
    path: str = ""  # covered-by

    @property
    def kind(self) -> str:
        return "covered-by" if self.path else "skip"


@dataclass(frozen=True)
class Command:
    """One command of a block: `source` as written (continuation lines and comments kept),
    `text` normalized (continuations joined, comment dropped, spaces collapsed)."""

    document: str
    line: int
    source: str
    text: str
    notes: tuple[str, ...] = ()  # the comment lines right before it in its block

    @property
    def where(self) -> str:
        return f"{self.document}:{self.line}"


@dataclass(frozen=True)
class Block:
    document: str  # path relative to the project, e.g. README.md
    line: int  # line of the opening fence, from 1
    language: str
    body: str
    marker: Marker | None

    @property
    def where(self) -> str:
        return f"{self.document}:{self.line}"

    @property
    def first_line(self) -> str:
        return next((line.strip() for line in self.body.splitlines() if line.strip()), "")

    @property
    def label(self) -> str:
        """Its first command, or its first line."""
        commands = self.commands()
        return commands[0].text if commands else self.first_line

    def commands(self) -> list[Command]:
        return split_commands(self.document, self.line + 1, self.body)


@dataclass(frozen=True)
class Document:
    path: str
    blocks: list[Block]
    inline: list[Command]  # README.md only: `make ...` and `.venv/bin/...` in the prose
    problems: list[str]  # markers that are malformed or not right before a fence


def strip_comment(line: str) -> str:
    """`line` without a shell comment (a `#` outside quotes, at the start or after a space)."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index]
    return line


def split_commands(document: str, first_line: int, body: str) -> list[Command]:
    """The commands of a block: one per line, a line ending in a backslash continues on the
    next, blank and comment-only lines are none."""
    commands: list[Command] = []
    notes: list[str] = []
    lines = body.splitlines()
    index = 0
    while index < len(lines):
        start = index
        if lines[index].strip().startswith("#"):
            notes.append(lines[index].strip())
            index += 1
            continue
        parts = [strip_comment(lines[index]).rstrip()]
        while parts[-1].endswith("\\") and index + 1 < len(lines):
            parts[-1] = parts[-1][:-1]
            index += 1
            parts.append(strip_comment(lines[index]).rstrip())
        index += 1
        text = " ".join(" ".join(parts).split())
        if text:
            source = "\n".join(lines[start:index])
            commands.append(Command(document, first_line + start, source, text, tuple(notes)))
        notes = []
    return commands


def parse_marker(line: str, number: int) -> Marker | str:
    match = MARKER.fullmatch(line.strip())
    if match is None:
        return (
            f"line {number}: malformed marker {line.strip()!r}; write "
            "'<!-- readme-test: skip — <reason> -->' or "
            "'<!-- readme-test: covered-by <path of a test file> -->'"
        )
    if match["skip"]:
        return Marker(number, reason=match["reason"])
    return Marker(number, path=match["path"])


def read_document(root: Path, relative: str) -> Document:
    lines = (root / relative).read_text().splitlines()
    blocks: list[Block] = []
    inline: list[Command] = []
    problems: list[str] = []
    pending: Marker | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        number = index + 1
        opening = FENCE.match(line)
        if opening is None:
            if pending is not None:
                problems.append(
                    f"{relative}:{pending.line}: a marker must be on the line right before "
                    "the fence of its block"
                )
                pending = None
            if line.strip().startswith(MARKER_PREFIX):
                parsed = parse_marker(line, number)
                if isinstance(parsed, str):
                    problems.append(f"{relative}:{parsed}")
                else:
                    pending = parsed
            elif relative == "README.md":
                for match in INLINE_COMMAND.finditer(line):
                    text = " ".join(match[1].split())
                    inline.append(Command(relative, number, match[1], text))
            index += 1
            continue
        fence = opening["fence"]
        body: list[str] = []
        index += 1
        while index < len(lines):
            closing = lines[index].strip()
            if closing.startswith(fence[0] * len(fence)) and not closing.strip(fence[0]):
                break
            body.append(lines[index])
            index += 1
        language = opening["info"].strip().split(" ")[0] if opening["info"].strip() else ""
        blocks.append(Block(relative, number, language, "\n".join(body), pending))
        pending = None
        index += 1
    if pending is not None:
        problems.append(f"{relative}:{pending.line}: a marker with no block after it")
    return Document(relative, blocks, inline, problems)


def documents(root: Path) -> list[Document]:
    """README.md, then docs/*.md in name order: the order the README test runs them in."""
    docs = sorted(str(path.relative_to(root)) for path in (root / "docs").glob("*.md"))
    names = ["README.md", *docs]
    return [read_document(root, name) for name in names]


def is_command_block(block: Block) -> bool:
    return block.document == "README.md" or block.language in COMMAND_LANGUAGES
