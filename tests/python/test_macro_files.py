"""macros/ keeps one macro per file, named after it, each documented in macros/_macros.yml.

A file holds its macro and that macro's adapter.dispatch variants (default__, duckdb__,
spark__); a materialization's file holds its adapter variants and no macro.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]
MACROS = PROJECT_DIR / "macros"
DEFINITION = re.compile(r"\{%-?\s*(macro|materialization)\s+(\w+)")
VARIANT = re.compile(r"^(default|duckdb|spark)__")


def definitions(path: Path) -> list[tuple[str, str]]:
    """(kind, name) of each macro and materialization a file defines."""
    return DEFINITION.findall(path.read_text())


def macro_files() -> list[Path]:
    return sorted(MACROS.rglob("*.sql"))


def test_each_file_holds_one_macro_named_after_it() -> None:
    wrong = {}
    for path in macro_files():
        name = path.relative_to(MACROS).as_posix()
        found = definitions(path)
        kinds = {kind for kind, _ in found}
        bases = {VARIANT.sub("", macro) for _, macro in found}
        if kinds != {"materialization"} and (kinds != {"macro"} or bases != {path.stem}):
            wrong[name] = found
    assert not wrong, wrong


def test_every_macro_is_documented_once() -> None:
    documented = [
        entry["name"] for entry in yaml.safe_load((MACROS / "_macros.yml").read_text())["macros"]
    ]
    defined = {
        name
        for path in macro_files()
        for kind, name in definitions(path)
        if kind == "macro" and not VARIANT.match(name)
    }
    assert len(documented) == len(set(documented))
    assert set(documented) == defined
