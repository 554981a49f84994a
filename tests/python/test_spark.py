"""The project on Apache Spark (`--target spark`, a local Spark in session mode) equals the
DuckDB build, mart for mart and row for row: on the bundled sample data (which holds bad
records of every source) and on a generated data set of all four sources with late events,
re-sent copies of event ids and repeated lines. Marked `spark` (`make test-spark`, which installs
pyspark and Java); skipped without pyspark or Java."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT_DIR, DbtProject
from generators import (
    SITE_DOMAINS,
    generate_app_records,
    generate_chat_records,
    generate_mooc_rows,
    generate_segment_records,
    write_app_files,
    write_chat_records,
    write_mooc_files,
    write_segment_files,
)

pytestmark = pytest.mark.spark
pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip(
        "Spark needs a Java runtime (make test-spark installs one)", allow_module_level=True
    )

from sessions_testkit.spark_support import run_spark_build, spark_mart_differences  # noqa: E402


def sample_variables() -> dict[str, Any]:
    """The default inputs (data/sample) as absolute paths: both engines then name files alike."""
    sample = PROJECT_DIR / "data" / "sample"
    return {
        "chat_events_path": str(sample / "chat" / "*.jsonl"),
        "segment_events_path": str(sample / "segment" / "*"),
        "mooc_interactions_path": str(sample / "mooc" / "*.parquet"),
        "app_events_path": str(sample / "app" / "*.jsonl"),
    }


def compare_engines(workdir: Path, variables: dict[str, Any]) -> tuple[DbtProject, Path]:
    duck = DbtProject(workdir / "duckdb")
    duck.workdir.mkdir(parents=True)
    duck.build({**variables, "export_dir": str(workdir / "exports")})
    spark_dir = workdir / "spark"
    run_spark_build(spark_dir, variables)
    problems = spark_mart_differences(duck.warehouse, spark_dir / "marts")
    assert not problems, "\n".join(problems)
    return duck, spark_dir / "marts"


def test_sample_data_marts_equal_duckdb(tmp_path: Path) -> None:
    duck, marts = compare_engines(tmp_path, sample_variables())
    # Not vacuous: every source is in the marts, and the bad records are quarantined.
    ((sources,),) = duck.query("select count(distinct source) from user_sessions")
    assert sources == 4
    ((quarantined,),) = duck.query("select count(*) from quarantined_events")
    assert quarantined > 0
    assert (marts / "quarantined_events").is_dir()


def json_lines(folder: Path) -> list[dict[str, Any]]:
    """The JSON objects of the JSON-lines files of `folder`, in file order."""
    return [
        json.loads(line)
        for path in sorted(folder.glob("*.jsonl"))
        for line in path.read_text().splitlines()
        if line.strip().startswith("{")
    ]


def write_lines(path: Path, records: list[dict[str, Any]], newline: str = "\n") -> None:
    path.write_text(newline.join(json.dumps(record) for record in records) + newline)


def write_late_and_duplicate_files(inputs: Path, rng: random.Random) -> None:
    """Files read after the generated ones: app events re-sent with their event id but another
    page (the copy read first is kept, so `/resent` must appear nowhere), Segment events re-sent
    with their messageId, chat lines repeated with CRLF line ends (two equal lines are two
    messages), and app events days earlier than the rest of their user's (late arrivals)."""
    app = [record for record in json_lines(inputs / "app") if "event_id" in record]
    resent = [dict(record, page="/resent") for record in rng.sample(app, 40)]
    late = [
        dict(
            record,
            event_id=f"late-{index}",
            event_type="page_view",
            timestamp="2024-03-01T00:00:00Z",
        )
        for index, record in enumerate(rng.sample(app, 40))
    ]
    write_lines(inputs / "app" / "zz_late_and_resent.jsonl", resent + late)
    segment = [record for record in json_lines(inputs / "segment") if record.get("messageId")]
    copies = [dict(record, event="Resent Copy") for record in rng.sample(segment, 30)]
    write_lines(inputs / "segment" / "zz_resent.jsonl", copies)
    chat = json_lines(inputs / "chat")
    write_lines(inputs / "chat" / "zz_repeated.jsonl", rng.sample(chat, 30), newline="\r\n")


def test_generated_data_with_late_and_duplicate_events_equals_duckdb(tmp_path: Path) -> None:
    rng = random.Random(20251205)
    inputs = tmp_path / "inputs"
    write_chat_records(generate_chat_records(rng), inputs / "chat")
    write_segment_files(generate_segment_records(rng), inputs / "segment", rng)
    write_app_files(generate_app_records(rng), inputs / "app", rng)
    write_mooc_files(generate_mooc_rows(rng), inputs / "mooc", rng)
    write_late_and_duplicate_files(inputs, rng)
    variables = {
        "chat_events_path": str(inputs / "chat" / "*.jsonl"),
        "segment_events_path": str(inputs / "segment" / "*"),
        "mooc_interactions_path": str(inputs / "mooc" / "*.parquet"),
        "app_events_path": str(inputs / "app" / "*.jsonl"),
        "site_domains": SITE_DOMAINS,
    }
    duck, _ = compare_engines(tmp_path / "build", variables)
    # Not vacuous: the late events are sessionized, and no re-sent copy won.
    ((late,),) = duck.query("select count(*) from session_events where event_id like 'late-%'")
    assert late > 0
    ((resent,),) = duck.query("select count(*) from session_events where page = '/resent'")
    assert resent == 0
