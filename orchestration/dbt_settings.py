"""What the schedulers (Dagster, Airflow) share about running the dbt project: the vars every dbt
command gets (SESSIONS_DBT_VARS) and the input sources the project's manifest builds.

Standard library only: Dagster imports it from the project's environment (.venv) and Airflow
from its own (.venv-airflow), which holds the project's packages without their dependencies.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

VARS_VARIABLE = "SESSIONS_DBT_VARS"
# The tracking spec's clean-up: the schedules keep 30 days of session detail unless
# SESSIONS_DBT_VARS sets retention_days (null: keep everything). Every scheduled dbt command gets
# it, the builds too: the data tests that reconcile sessions with inputs follow it.
SCHEDULED_RETENTION_DAYS = 30


def dbt_vars(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """SESSIONS_DBT_VARS: a JSON object of dbt vars (none: {}), with retention_days
    SCHEDULED_RETENTION_DAYS unless it sets it."""
    text = environ.get(VARS_VARIABLE, "").strip()
    if not text:
        return {"retention_days": SCHEDULED_RETENTION_DAYS}
    try:
        variables = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{VARS_VARIABLE} is not valid JSON ({error}): {text!r}") from None
    if not isinstance(variables, dict):
        raise ValueError(f'{VARS_VARIABLE} must be a JSON object, e.g. {{"app_enabled": false}}')
    return {"retention_days": SCHEDULED_RETENTION_DAYS, **variables}


def manifest_path(project_dir: Path) -> Path:
    """The manifest `dbt parse` writes (`make manifest`)."""
    return project_dir / "target" / "manifest.json"


def existing_manifest(project_dir: Path) -> Path:
    """The manifest's path; a clear error when no `dbt parse` has written it."""
    path = manifest_path(project_dir)
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: run `make manifest` (dbt parse) before loading the schedules."
        )
    return path


def read_manifest(project_dir: Path) -> dict[str, Any]:
    return json.loads(existing_manifest(project_dir).read_text())


def input_sources(manifest: Mapping[str, Any], project_dir: Path) -> dict[str, list[str]]:
    """The input sources the manifest builds (a disabled source has no models), each with the
    path globs of its files, absolute (relative ones resolve from the project directory, as in
    dbt). Sources without files (the project's own state tables) are not inputs."""
    built = {
        name.split(".")[2]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        for name in node["depends_on"]["nodes"]
        if name.startswith("source.")
    }
    sources: dict[str, set[str]] = {}
    for source in manifest["sources"].values():
        location = source.get("config", {}).get("external_location") or source.get(
            "external_location"
        )
        if source["source_name"] in built and location:
            path = Path(location)
            absolute = path if path.is_absolute() else project_dir / path
            sources.setdefault(source["source_name"], set()).add(str(absolute))
    return {name: sorted(globs) for name, globs in sorted(sources.items())}


def main() -> None:
    """`python -m orchestration.dbt_settings`: the schedules' vars as JSON (`make manifest`
    parses with them: retention_days decides which data tests exist)."""
    print(json.dumps(dbt_vars()))


def input_globs(manifest: Mapping[str, Any], project_dir: Path) -> list[str]:
    """The path globs of every input source the manifest builds."""
    sources = input_sources(manifest, project_dir)
    return sorted({pattern for globs in sources.values() for pattern in globs})


if __name__ == "__main__":
    main()
