"""The project on Apache Spark (`--target spark`, a local Spark in session mode) equals the
DuckDB build, mart for mart and row for row: on the bundled sample data (which holds bad
records of every source) and on a generated data set of all four sources with late events,
re-sent copies of event ids and repeated lines. Marked `spark` (`make test-spark`, which installs
pyspark and Java); skipped without pyspark or Java."""

from __future__ import annotations

import json
import random
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
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
    pytest.skip("Spark needs a Java runtime (make test-spark installs one)", allow_module_level=True)

from spark_support import run_spark_build  # noqa: E402

# Stamped with the time of the run that wrote them: different in any two builds.
RUN_TIME_COLUMNS = frozenset({"_loaded_at", "invocation_id", "run_started_at"})
# DuckDB-only: the exports' log (a Spark build writes no export files).
DUCKDB_ONLY_TABLES = frozenset({"exported_files"})


def sample_variables() -> dict[str, Any]:
    """The default inputs (data/sample) as absolute paths: both engines then name files alike."""
    sample = PROJECT_DIR / "data" / "sample"
    return {
        "chat_events_path": str(sample / "chat" / "*.jsonl"),
        "segment_events_path": str(sample / "segment" / "*"),
        "mooc_interactions_path": str(sample / "mooc" / "*.parquet"),
        "app_events_path": str(sample / "app" / "*.jsonl"),
    }


def mart_differences(duckdb_warehouse: Path, spark_marts: Path, limit: int = 10) -> list[str]:
    """Every public table of the DuckDB build against the Spark build's export of it: the same
    tables, the same column names, and the same rows (as many times), values compared as text
    (timestamps in UTC) with the run-time columns left out."""
    problems: list[str] = []
    with duckdb.connect() as db:
        db.execute("set TimeZone = 'UTC'")
        db.execute(f"attach '{duckdb_warehouse}' as duck (read_only)")
        duck_tables = {
            name
            for (name,) in db.execute(
                "select table_name from information_schema.tables"
                " where table_catalog = 'duck' and table_schema = 'main'"
            ).fetchall()
        }
        spark_tables = {path.name for path in spark_marts.iterdir()}
        if duck_tables != spark_tables:
            problems.append(f"tables differ: {sorted(duck_tables ^ spark_tables)}")
        for mart in sorted(duck_tables & spark_tables):
            spark_relation = f"read_parquet('{spark_marts / mart}/*.parquet')"
            columns = [
                [row[0] for row in db.execute(f"describe select * from {relation}").fetchall()]
                for relation in (f"duck.main.{mart}", spark_relation)
            ]
            if columns[0] != columns[1]:
                problems.append(f"{mart}: columns differ: {columns[0]} vs {columns[1]}")
                continue
            selected = ", ".join(
                f'cast("{name}" as varchar) as "{name}"'
                for name in columns[0]
                if name not in RUN_TIME_COLUMNS
            )
            for only_in, first, second in (
                ("duckdb", f"duck.main.{mart}", spark_relation),
                ("spark", spark_relation, f"duck.main.{mart}"),
            ):
                rows = db.execute(
                    f"select {selected} from {first} except all select {selected} from {second}"
                    " order by all"
                ).fetchall()
                problems += [f"{mart}: only in {only_in}: {row}" for row in rows[:limit]]
                if len(rows) > limit:
                    problems.append(f"{mart}: ... {len(rows) - limit} more only in {only_in}")
    return problems


def compare_engines(workdir: Path, variables: dict[str, Any]) -> tuple[DbtProject, Path]:
    duck = DbtProject(workdir / "duckdb")
    duck.workdir.mkdir(parents=True)
    duck.build({**variables, "export_dir": str(workdir / "exports")})
    spark_dir = workdir / "spark"
    run_spark_build(spark_dir, variables)
    problems = mart_differences(duck.warehouse, spark_dir / "marts")
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


def write_late_and_duplicate_files(workdir: Path, rng: random.Random) -> None:
    """Files named to be read after the generated ones: app events re-sent with their event id
    (the first copy read is kept, so the changed copies must lose), Segment events re-sent with
    their messageId, chat lines repeated (two equal lines are two messages), and events
    hours earlier than the latest of their user (late arrivals)."""
    app = [json.loads(line) for path in sorted((workdir / "app").glob("*.jsonl"))
           for line in path.read_text().splitlines() if line.strip().startswith("{")]
    resent = [dict(record, page="/resent") for record in rng.sample(app, 40) if "event_id" in record]
    late = []
    for index, record in enumerate(rng.sample(app, 40)):
        if "timestamp" in record and "event_id" in record and "user_id" in record:
            late.append(dict(record, event_id=f"late-{index}", event_type="page_view",
                             timestamp="2024-03-01T00:00:00Z"))
    (workdir / "app" / "zz_late_and_resent.jsonl").write_text(
        "\n".join(json.dumps(record) for record in resent + late) + "\n"
    )
    segment = [json.loads(line) for path in sorted((workdir / "segment").glob("*.jsonl"))
               for line in path.read_text().splitlines() if line.strip().startswith("{")]
    with_ids = [record for record in segment if record.get("messageId")]
    copies = [dict(record, event="Resent Copy") for record in rng.sample(with_ids, min(30, len(with_ids)))]
    (workdir / "segment" / "zz_resent.jsonl").write_text(
        "\n".join(json.dumps(record) for record in copies) + "\n"
    )
    chat_lines = (workdir / "chat" / "chat_00.jsonl").read_text().splitlines()
    repeated = rng.sample(chat_lines, 30)
    (workdir / "chat" / "zz_repeated.jsonl").write_text("\r\n".join(repeated) + "\r\n")


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
    ((late,),) = duck.query("select count(*) from session_events where page is not null")
    assert late > 0
