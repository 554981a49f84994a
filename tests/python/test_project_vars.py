"""The var list the on-run-start validation checks against matches dbt_project.yml."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]


def test_known_vars_macro_lists_every_project_var() -> None:
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    macro = (PROJECT_DIR / "macros" / "validation" / "known_vars.sql").read_text()
    registry = (PROJECT_DIR / "macros" / "sources" / "source_registry.sql").read_text()
    listed = set(re.findall(r"'([a-z_]+)'", macro.split("set names = [")[1].split("]")[0]))
    source_vars = set(re.findall(r"'(?:enabled|path|gap)_var': '([a-z_]+)'", registry))
    assert len(source_vars) == 3 * registry.count("do registry.update(")
    assert listed | source_vars == set(project["vars"])
