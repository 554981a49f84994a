"""The var list the on-run-start validation checks against matches dbt_project.yml."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]


def test_known_vars_macro_lists_every_project_var() -> None:
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    macro = (PROJECT_DIR / "macros" / "validation" / "known_vars.sql").read_text()
    listed = set(re.findall(r"'([a-z_]+)'", macro.split("return(")[1]))
    assert listed == set(project["vars"])
