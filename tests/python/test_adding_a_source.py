"""docs/adding-a-source.md is true: a fifth source is a staging folder, a registry entry and vars.

The test copies the project, applies the walk-through's steps with the toy `kiosk` source in
tests/python/fixtures/kiosk/, builds everything, and compares the kiosk sessions in the shared
marts with the plain-Python gap rule; a second load of new taps is then built incrementally and
compared again. The kiosk's bad line must reach the quarantine with its file and line.
"""

from __future__ import annotations

import json
import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest import DbtProject, copy_project, replace_once
from reference import split_sessions

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "kiosk"
GAP_SECONDS = 120


def indented(path: Path, heading: str) -> str:
    """The lines of `path` under `heading`, indented one level."""
    return heading + "".join(f"  {line}\n" for line in path.read_text().splitlines())


def add_kiosk_source(project: Path) -> None:
    """The steps of docs/adding-a-source.md, in order."""
    # 1. The staging folder: sources, base model, staging model, their docs and tests.
    shutil.copytree(FIXTURE / "models" / "staging" / "kiosk", project / "models/staging/kiosk")
    # 2. One registry entry.
    replace_once(
        project / "macros/sources/source_registry.sql",
        "    {{ return(registry) }}",
        (FIXTURE / "registry_entry.sql").read_text() + "\n    {{ return(registry) }}",
    )
    # 3. Its vars, and the switch that enables its staging folder.
    replace_once(
        project / "dbt_project.yml",
        "vars:\n",
        indented(FIXTURE / "vars.yml", "vars:\n"),
    )
    replace_once(
        project / "dbt_project.yml",
        "      app:\n        +enabled: \"{{ var('app_enabled', true) }}\"\n",
        "      app:\n        +enabled: \"{{ var('app_enabled', true) }}\"\n"
        "      kiosk:\n        +enabled: \"{{ var('kiosk_enabled', true) }}\"\n",
    )


def generated_taps(rng: random.Random, start: datetime, count: int, first_id: int) -> list[dict]:
    """Taps of a few visitors, with gaps on both sides of the kiosk's 120 s limit."""
    taps = []
    clocks = {f"visitor-{n}": start for n in range(4)}
    for number in range(count):
        visitor = rng.choice(sorted(clocks))
        clocks[visitor] += timedelta(seconds=rng.choice([5, 60, 119, 120, 121, 600]))
        taps.append(
            {
                "tap_id": f"tap-{first_id + number}",
                "visitor": visitor,
                "at": clocks[visitor].isoformat(),
                "screen": rng.choice(["home", "menu", "pay"]),
            }
        )
    return taps


def write_lines(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines))


def reference_sessions(taps: list[dict]) -> list[tuple]:
    """(visitor, session number, start, end, taps, entry screen, exit screen) by the gap rule."""
    by_visitor: dict[str, list[dict]] = {}
    for tap in taps:
        by_visitor.setdefault(tap["visitor"], []).append(tap)
    rows = []
    for visitor, visitor_taps in sorted(by_visitor.items()):
        visitor_taps.sort(key=lambda tap: (tap["at"], tap["tap_id"]))
        times = [datetime.fromisoformat(tap["at"]) for tap in visitor_taps]
        for number, indexes in enumerate(split_sessions(times, GAP_SECONDS), start=1):
            first, last = visitor_taps[indexes[0]], visitor_taps[indexes[-1]]
            rows.append(
                (
                    visitor,
                    number,
                    times[indexes[0]],
                    times[indexes[-1]],
                    len(indexes),
                    first["screen"],
                    last["screen"],
                )
            )
    return rows


def kiosk_sessions(project: DbtProject) -> list[tuple]:
    return project.query(
        """
        select user_id, session_number, start_time, end_time, event_count, entry_page, exit_page
        from main.user_sessions where source = 'kiosk' order by user_id, session_number
        """
    )


def test_a_toy_source_added_by_the_walk_through_builds_and_sessionizes(tmp_path: Path) -> None:
    project_dir = copy_project(tmp_path / "project")
    add_kiosk_source(project_dir)
    project = DbtProject(tmp_path / "run", project_dir)
    rng = random.Random(17)
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    first_load = generated_taps(rng, start, 60, first_id=0)
    bad_line = '{"tap_id": "tap-bad", "at": "2026-03-01T09:00:00+00:00", "screen": "home"}'
    landing = project_dir / "data" / "kiosk"
    write_lines(landing / "taps-1.jsonl", [json.dumps(tap) for tap in first_load] + [bad_line])

    project.build({}, "--full-refresh")
    assert kiosk_sessions(project) == reference_sessions(first_load)
    assert project.query(
        "select file_name like '%taps-1.jsonl', line_number, rejection_reason is not null"
        " from main.quarantined_events where source = 'kiosk'"
    ) == [(True, len(first_load) + 1, True)]
    assert project.query("select count(*) from main.session_events where source = 'kiosk'") == [
        (len(first_load),)
    ]

    # A second load continues the visitors' clocks: it extends and splits their sessions.
    second_load = generated_taps(rng, start + timedelta(minutes=30), 40, first_id=1000)
    write_lines(landing / "taps-2.jsonl", [json.dumps(tap) for tap in second_load])
    project.build({})
    assert kiosk_sessions(project) == reference_sessions(first_load + second_load)
    assert project.query("select count(*) from main.loaded_files where source = 'kiosk'") == [(2,)]
