"""Bad input, proven on real outputs of `dbt build`.

Per record: files of every source mix good records with every kind of bad one (see
bad_input_fixtures.py); one build over all of them must quarantine each bad record with its exact
reason, stage each good one, and account for every line of every file.

Per run: a path that matches no file, impossible vars, a locked warehouse file and a run that
fails half way must each stop with a message that says what is wrong, leave what was built
before intact, and let the next run complete.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from bad_input_fixtures import (
    MAX_RECORD_BYTES,
    Fixtures,
    Record,
    bad,
    good,
    write_bad_input,
    write_lines,
)
from conftest import PROJECT_DIR, DbtProject, dbt_output, sample_inputs

SOURCES = ("chat", "segment", "mooc", "app")
STAGING = {
    "chat": ("stg_chat__messages", "user_id"),
    "segment": ("stg_segment__events", "coalesce(user_id, anonymous_id)"),
    "mooc": ("stg_mooc__interactions", "user_id"),
    "app": ("stg_app__events", "user_id"),
}
BASE = {
    "chat": "base_chat__message_lines",
    "segment": "base_segment__event_records",
    "mooc": "base_mooc__interaction_rows",
    "app": "base_app__event_lines",
}
SAMPLE = PROJECT_DIR / "data" / "sample"


@dataclass
class BadInputBuild:
    project: DbtProject
    fixtures: Fixtures
    variables: dict[str, Any]


def _rows(project: DbtProject, sql: str) -> list[tuple]:
    return sorted(project.query(sql), key=repr)


def _table_snapshot(project: DbtProject) -> dict[str, Any]:
    """Every table's row count, and the full rows of the tables a user reads most."""
    tables = project.query(
        "select table_schema, table_name from information_schema.tables order by all"
    )
    snapshot: dict[str, Any] = {
        f"{schema}.{name}": project.query(f'select count(*) from "{schema}"."{name}"')[0][0]
        for schema, name in tables
    }
    for name in ("user_sessions", "quarantined_events", "loaded_files", "run_stats"):
        snapshot[f"rows of {name}"] = _rows(project, f"select * from {name}")
    return snapshot


# ============================================================================================
# Per-record problems: one build over every source's bad files
# ============================================================================================


@pytest.fixture(scope="module")
def bad_build(tmp_path_factory: pytest.TempPathFactory) -> BadInputBuild:
    root = tmp_path_factory.mktemp("bad_input")
    fixtures = write_bad_input(root / "input", now=datetime.now(UTC))
    project = DbtProject(root)
    variables = {
        **fixtures.paths(),
        "export_dir": str(root / "exports"),
        "max_record_bytes": MAX_RECORD_BYTES,
        # Most records of these files are bad on purpose.
        "quarantine_error_ratio": 0.9,
    }
    project.build(variables)
    return BadInputBuild(project, fixtures, variables)


def test_every_bad_record_is_quarantined_with_its_reason(bad_build: BadInputBuild) -> None:
    actual = bad_build.project.query(
        "select source, file_name, line_number, rejection_reason from quarantined_events"
    )
    assert len(actual) == len(set(actual))
    actual_set = {(s, Path(f).name, n, reason) for s, f, n, reason in actual}
    expected = bad_build.fixtures.expected_quarantine()
    assert {
        "missing": sorted(expected - actual_set),
        "unexpected": sorted(actual_set - expected),
    } == {"missing": [], "unexpected": []}
    # Every kind of bad record occurs, in every source that can have it.
    reasons = {(s, reason) for s, _, _, reason in actual_set}
    for source in ("chat", "segment", "app"):
        for reason in (
            "invalid_json",
            "not_a_json_object",
            "invalid_utf8",
            "record_too_large",
            "missing_user_id",
            "invalid_user_id",
            "missing_timestamp",
            "invalid_timestamp",
            "timestamp_in_future",
        ):
            assert (source, reason) in reasons
    for reason in ("missing_user_id", "missing_timestamp", "timestamp_in_future"):
        assert ("mooc", reason) in reasons
    assert ("app", "unknown_event_type") in reasons
    assert ("segment", "unknown_event_type") in reasons


def _escaped(raw: bytes) -> str:
    """`raw` without its CR as lossless text: printable ASCII and tabs as is, other bytes \\xNN."""
    raw = raw.removesuffix(b"\r")
    return "".join(chr(b) if 0x20 <= b < 0x7F or b == 0x09 else f"\\x{b:02X}" for b in raw)


Position = tuple[str, str, int]  # source, file name, line number


def _quarantined_raw_lines(bad_build: BadInputBuild) -> dict[Position, tuple[str, str]]:
    """(source, file name, line number) -> (rejection_reason, raw_line)."""
    return {
        (source, Path(file_name).name, line_number): (reason, raw_line)
        for source, file_name, line_number, reason, raw_line in bad_build.project.query(
            "select source, file_name, line_number, rejection_reason, raw_line"
            " from quarantined_events"
        )
    }


def _written(bad_build: BadInputBuild, reason: str) -> dict[Position, Record]:
    return {
        (f.source, f.name, number): r
        for f in bad_build.fixtures.files
        for number, r in f.numbered()
        if r.reason == reason
    }


def test_quarantined_raw_lines_show_the_record(bad_build: BadInputBuild) -> None:
    quarantined = _quarantined_raw_lines(bad_build)
    # A too large record is kept up to the size limit.
    too_large = _written(bad_build, "record_too_large")
    assert too_large
    for key, record in too_large.items():
        raw_line = quarantined[key][1]
        assert len(raw_line.encode()) == MAX_RECORD_BYTES
        if not key[1].endswith(".json"):  # an array element is re-serialized
            assert record.raw.decode().startswith(raw_line)
    # A line of a UTF-8 file is kept as written, without BOM and carriage return.
    for f in bad_build.fixtures.files:
        if f.source == "mooc" or "invalid_utf8" in f.name or f.name.endswith(".json"):
            continue
        for number, record in f.numbered():
            if record.reason not in (None, "record_too_large"):
                key = (f.source, f.name, number)
                assert quarantined[key][1] == record.raw.decode(), key
    # A line with bytes that are not UTF-8 shows them escaped.
    invalid = _written(bad_build, "invalid_utf8")
    assert len(invalid) == 3 * 4
    for key, record in invalid.items():
        escaped_bytes = re.findall(r"\\x[0-9A-F]{2}", _escaped(record.raw))
        assert escaped_bytes
        assert all(e in quarantined[key][1] for e in escaped_bytes), quarantined[key]
    # A Parquet row is shown as JSON.
    mooc = [
        json.loads(raw_line)
        for (source, _, _), (_, raw_line) in quarantined.items()
        if source == "mooc"
    ]
    assert len(mooc) == 6
    assert all({"user_id", "item_id", "ts_epoch"} <= set(row) for row in mooc)


def test_invalid_utf8_line_is_kept_losslessly(bad_build: BadInputBuild) -> None:
    quarantined = _quarantined_raw_lines(bad_build)
    actual = {key: quarantined[key][1] for key in _written(bad_build, "invalid_utf8")}
    expected = {key: _escaped(r.raw) for key, r in _written(bad_build, "invalid_utf8").items()}
    assert actual == expected


@pytest.mark.parametrize("source", SOURCES)
def test_every_good_record_is_staged(bad_build: BadInputBuild, source: str) -> None:
    model, user = STAGING[source]
    actual = bad_build.project.query(f"select file_name, line_number, {user} from staging.{model}")
    assert len(actual) == len(set(actual))
    actual_set = {(Path(f).name, n, u) for f, n, u in actual}
    expected = bad_build.fixtures.expected_staged(source)
    assert {
        "missing": sorted(expected - actual_set),
        "unexpected": sorted(actual_set - expected),
    } == {"missing": [], "unexpected": []}


def test_numbers_read_as_text_and_reach_the_marts(bad_build: BadInputBuild) -> None:
    project = bad_build.project
    # `"user_id": 7` is user "7" in every source (MOOC: an int64 Parquet column).
    for source in SOURCES:
        assert project.query(
            f"select count(*) from user_sessions where source = '{source}' and user_id = '7'"
        ) == [(1,)], source
    assert ("42",) in project.query("select distinct channel_id from staging.stg_chat__messages")
    assert project.query(
        "select count(*) from staging.stg_app__events where event_id ~ '^[0-9]+$'"
    ) == [(3,)]
    assert project.query("select count(*) from chat_sessions where user_id = '7'") == [(1,)]


def test_every_good_user_has_sessions_and_no_bad_record_does(bad_build: BadInputBuild) -> None:
    actual = set(bad_build.project.query("select distinct source, user_id from user_sessions"))
    assert actual == bad_build.fixtures.expected_users()
    events = bad_build.project.query("select source, count(*) from session_events group by 1")
    good_records = Counter(f.source for f in bad_build.fixtures.files for r in f.records if r.good)
    assert dict(events) == dict(good_records)


def _records_in(path: Path) -> int:
    """Records in an input file, counted from its bytes: lines of JSON lines (a last line
    without a newline counts), elements of a JSON array (1 for an unreadable array), rows of
    Parquet."""
    if path.suffix == ".parquet":
        return pq.read_metadata(path).num_rows
    data = path.read_bytes()
    if data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"["):
        try:
            return len(json.loads(data.decode("utf-8-sig")))
        except ValueError:
            return 1
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def test_every_line_of_every_file_is_accounted_for(bad_build: BadInputBuild) -> None:
    """Lines written = staged + quarantined + blank, per file, against the manifest."""
    manifest = {
        (source, Path(file_name).name): (read, blank_records, quarantined)
        for source, file_name, read, blank_records, quarantined in bad_build.project.query(
            "select source, file_name, records_read, blank_records, records_quarantined"
            " from loaded_files"
        )
    }
    staged: dict[tuple[str, str], int] = {}
    for source in SOURCES:
        for file_name, count in bad_build.project.query(
            f"select file_name, count(*) from staging.{STAGING[source][0]} group by 1"
        ):
            staged[(source, Path(file_name).name)] = count
        # The base model accepts the same records (no good record here is a re-sent copy).
        accepted = bad_build.project.query(
            f"select file_name, count(*) filter (where rejection_reason is null and not is_blank)"
            f" from staging.{BASE[source]} group by 1 having count(*) filter"
            f" (where rejection_reason is null and not is_blank) > 0"
        )
        assert {(source, Path(f).name): n for f, n in accepted} == {
            key: n for key, n in staged.items() if key[0] == source
        }

    expected_manifest = {}
    for f in bad_build.fixtures.files:
        lines = len(f.records)
        blank_lines = sum(r.blank for r in f.records)
        bad_lines = sum(r.reason is not None for r in f.records)
        good_lines = sum(r.good for r in f.records)
        assert lines == good_lines + bad_lines + blank_lines
        assert lines == _records_in(f.path), f.name
        expected_manifest[(f.source, f.name)] = (lines, blank_lines, bad_lines)
        key = (f.source, f.name)
        assert staged.get(key, 0) == good_lines, key
        read, blank_read, quarantined = manifest[key]
        assert read == staged.get(key, 0) + quarantined + blank_read, key
    assert manifest == expected_manifest


def test_bom_crlf_and_invalid_bytes_do_not_change_what_a_file_loads(
    bad_build: BadInputBuild,
) -> None:
    """Each JSON-lines source has the same records written plain (LF), with a byte-order mark
    and CRLF endings, and with invalid UTF-8 lines added: all three stage the same records."""
    for source in ("chat", "segment", "app"):
        staged = dict(
            bad_build.project.query(
                f"select regexp_extract(file_name, '[^/]+$'), count(*)"
                f" from staging.{STAGING[source][0]} where file_name like '%.jsonl' group by 1"
            )
        )
        written = {
            f.name: sum(r.good for r in f.records)
            for f in bad_build.fixtures.files
            if f.source == source and f.name.endswith(".jsonl")
        }
        assert staged == written
        assert staged["a_mixed.jsonl"] == staged["b_bom_crlf.jsonl"]
        assert staged["a_mixed.jsonl"] == staged["c_invalid_utf8.jsonl"]


# ============================================================================================
# The quarantine ratio tests
# ============================================================================================


def test_build_fails_when_quarantined_share_is_above_error_ratio(
    bad_build: BadInputBuild, tmp_path: Path
) -> None:
    variables = {k: v for k, v in bad_build.variables.items() if k != "quarantine_error_ratio"}
    variables["export_dir"] = str(tmp_path / "exports")
    result = DbtProject(tmp_path).dbt("build", variables=variables)
    assert result.returncode != 0, dbt_output(result)
    failing = [line for line in result.stdout.splitlines() if "FAIL" in line]
    assert any("quarantined_share_above_error_ratio" in line for line in failing), failing
    # Every source is over the ratio, and nothing else failed.
    assert "FAIL 4 quarantined_share_above_error_ratio" in result.stdout
    assert all("quarantined_share" in line or "Done." in line for line in failing), failing


def test_build_warns_when_quarantined_share_is_between_the_ratios(tmp_path: Path) -> None:
    """1 bad line in 10 (above quarantine_warn_ratio 0.05, below quarantine_error_ratio 0.25)."""
    lines = [
        good(
            {
                "event_name": "send_message",
                "timestamp": f"2024-03-01T09:0{i // 6}:{10 * (i % 6):02d}Z",
                "user_id": "u1",
                "channel_id": "c",
            },
            "u1",
        )
        for i in range(9)
    ]
    lines.append(Record(b'{"user_id": "u1"', reason="invalid_json"))
    write_lines(tmp_path / "chat" / "messages.jsonl", lines)
    variables = {
        "chat_events_path": str(tmp_path / "chat" / "*.jsonl"),
        "segment_enabled": False,
        "mooc_enabled": False,
        "app_enabled": False,
        "export_dir": str(tmp_path / "exports"),
    }
    project = DbtProject(tmp_path)
    result = project.build(variables)
    warned = [line for line in result.stdout.splitlines() if "WARN 1" in line]
    assert any("quarantined_share_above_warn_ratio" in line for line in warned), result.stdout
    assert any(
        "PASS" in line and "quarantined_share_above_error_ratio" in line
        for line in result.stdout.splitlines()
    )
    assert project.query("select count(*) from chat_sessions") == [(1,)]


# ============================================================================================
# Whole-run problems
# ============================================================================================


def _chat_batch(folder: Path, name: str, good_lines: int, bad_lines: int, hour: int) -> None:
    """A chat file of `good_lines` messages (one user, a minute apart from `hour`) and
    `bad_lines` lines whose producer renamed `timestamp` (quarantined: missing_timestamp)."""
    lines = [
        good(
            {
                "event_name": "send_message",
                "timestamp": f"2024-03-01T{hour:02d}:{i // 60:02d}:{i % 60:02d}Z",
                "user_id": "u1",
                "channel_id": "c",
            },
            "u1",
        )
        for i in range(good_lines)
    ]
    renamed = {"event_name": "send_message", "time": "2024-03-01T09:00:00Z", "user_id": "u1"}
    lines += [bad({**renamed, "channel_id": "c"}, "missing_timestamp") for _ in range(bad_lines)]
    write_lines(folder / name, lines)


def test_quarantine_ratio_is_checked_on_what_each_run_loads(tmp_path: Path) -> None:
    """A bad batch fails the build that loads it even when the history is mostly clean (10 bad
    lines after 40 good ones: 20% of the history, 100% of the run), and the next clean batch
    passes even when the history is mostly bad (after 40 more bad lines, 45% of the history)."""
    folder = tmp_path / "chat"
    variables = {
        "chat_events_path": str(folder / "*.jsonl"),
        "segment_enabled": False,
        "mooc_enabled": False,
        "app_enabled": False,
        "export_dir": str(tmp_path / "exports"),
    }
    project = DbtProject(tmp_path)
    batches = [(40, 0, "passes"), (0, 10, "fails"), (10, 0, "passes"), (0, 40, "fails")]
    batches.append((10, 0, "passes"))
    for number, (good_lines, bad_lines, expected) in enumerate(batches):
        _chat_batch(folder, f"batch_{number}.jsonl", good_lines, bad_lines, hour=number)
        result = project.dbt("build", "--exclude-resource-type", "unit_test", variables=variables)
        failed = "FAIL 1 quarantined_share_above_error_ratio" in result.stdout
        assert failed == (expected == "fails"), (number, dbt_output(result))
        assert (result.returncode == 0) == (expected == "passes"), (number, dbt_output(result))


def test_path_matching_no_file_names_the_var_and_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "*.jsonl"
    variables = {
        "chat_events_path": str(missing),
        "segment_enabled": False,
        "mooc_enabled": False,
        "app_enabled": False,
        "export_dir": str(tmp_path / "exports"),
    }
    result = DbtProject(tmp_path).dbt("build", variables=variables)
    assert result.returncode != 0
    assert f"The var chat_events_path = '{missing}' matches no file." in result.stdout
    assert "or switch the source off with chat_enabled: false." in result.stdout
    assert "ERROR creating sql incremental_files model staging.base_chat__message_lines" in (
        result.stdout
    )


@pytest.mark.parametrize(
    ("bad_vars", "messages"),
    [
        pytest.param(
            {"app_inactivity_seconds": -5},
            [
                "Invalid vars, nothing was run:",
                "app_inactivity_seconds must be a positive number of seconds, got: -5",
            ],
            id="negative-gap",
        ),
        pytest.param(
            {"chat_inactivity_seconds": 1.2345678},
            [
                "Invalid vars, nothing was run:",
                "chat_inactivity_seconds must be a whole number of microseconds (at most 6"
                " decimals), got: 1.2345678",
            ],
            id="gap-finer-than-a-microsecond",
        ),
        pytest.param(
            {"chatt_enabled": True},
            [
                "Invalid vars, nothing was run:",
                "unknown source 'chatt' in var chatt_enabled (sources: chat, segment, mooc, app)",
            ],
            id="misspelt-source",
        ),
        pytest.param(
            {"site_domains": "example.com"},
            [
                "The var site_domains must be a list of host names, e.g. ['example.com'],"
                " got: example.com"
            ],
            id="site-domains-not-a-list",
        ),
        pytest.param(
            {"as_of": "yesterday at noon"},
            [
                "Invalid vars, nothing was run:",
                "as_of must be an ISO-8601 timestamp (or null), got: yesterday at noon",
            ],
            id="as-of-not-a-timestamp",
        ),
        pytest.param(
            {"feature_pairs_min_support": 1.5},
            [
                "Invalid vars, nothing was run:",
                "feature_pairs_min_support must be a number from 0 to 1, got: 1.5",
            ],
            id="min-support-above-one",
        ),
        pytest.param(
            {
                "app_inactivity_seconds": -5,
                "as_of": "yesterday at noon",
                "test_whole_history": "yes",
            },
            [
                "app_inactivity_seconds must be a positive number of seconds, got: -5",
                "as_of must be an ISO-8601 timestamp (or null), got: yesterday at noon",
                "test_whole_history must be true or false, got: yes",
            ],
            id="every-problem-at-once",
        ),
    ],
)
def test_impossible_var_stops_the_run_before_anything_is_built(
    bad_build: BadInputBuild, tmp_path: Path, bad_vars: dict[str, Any], messages: list[str]
) -> None:
    project = DbtProject(tmp_path)
    shutil.copyfile(bad_build.project.warehouse, project.warehouse)
    before = _table_snapshot(project)
    exports = tmp_path / "exports"
    variables = {**bad_build.variables, "export_dir": str(exports), **bad_vars}
    result = project.dbt("build", variables=variables)
    assert result.returncode != 0
    for message in messages:
        assert message in result.stdout, result.stdout[-3000:]
    assert " OK created " not in result.stdout
    assert _table_snapshot(project) == before
    assert not exports.exists()


def test_nothing_is_built_into_a_new_warehouse_on_an_impossible_var(tmp_path: Path) -> None:
    project = DbtProject(tmp_path)
    variables = {**sample_inputs(tmp_path), "app_inactivity_seconds": -5}
    result = project.dbt("build", variables=variables)
    assert result.returncode != 0
    assert "app_inactivity_seconds must be a positive number of seconds, got: -5" in (result.stdout)
    if project.warehouse.exists():
        tables = project.query("select table_name from information_schema.tables")
        assert ("user_sessions",) not in tables


HOLD_WAREHOUSE = (
    "import sys, time, duckdb\n"
    "connection = duckdb.connect(sys.argv[1])\n"
    "connection.execute('create table if not exists held (x int)')\n"
    "print('holding', flush=True)\n"
    "time.sleep(60)\n"
)


def test_locked_warehouse_says_it_is_in_use_and_how_to_retry(tmp_path: Path) -> None:
    project = DbtProject(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WAREHOUSE, str(project.warehouse)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"

        check = subprocess.run(
            [sys.executable, "scripts/check_warehouse.py", str(project.warehouse)],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
        assert check.returncode == 1, check
        assert f"The warehouse {project.warehouse} is in use by " in check.stderr
        assert f"(PID {holder.pid})" in check.stderr
        assert "DuckDB lets one process write it at a time." in check.stderr
        assert "Wait for that run to finish" in check.stderr
        assert "then run again" in check.stderr
        assert "SESSIONS_CONNECT_ATTEMPTS" in check.stderr

        env = {**project.env(), "SESSIONS_CONNECT_ATTEMPTS": "1"}
        variables = {**sample_inputs(tmp_path), "mooc_enabled": False}
        dbt = subprocess.run(
            [
                str(Path(sys.executable).parent / "dbt"),
                "build",
                "--profiles-dir",
                "profiles",
                "--vars",
                json.dumps(variables),
            ],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        output = dbt.stdout + dbt.stderr
        assert dbt.returncode != 0, output[-3000:]
        assert "Could not set lock on file" in output, output[-3000:]
        assert str(project.warehouse) in output
        assert " OK created " not in output
    finally:
        holder.kill()
        holder.wait()

    check = subprocess.run(
        [sys.executable, "scripts/check_warehouse.py", str(project.warehouse)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (check.returncode, check.stderr) == (0, "")


def _export_bytes(exports: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(exports.iterdir())}


def test_failed_run_keeps_previous_outputs_and_next_run_completes(tmp_path: Path) -> None:
    variables = sample_inputs(tmp_path)
    exports = Path(variables["export_dir"])
    project = DbtProject(tmp_path / "incremental")
    project.workdir.mkdir()
    project.build(variables)
    sessions_before = _rows(project, "select * from user_sessions")
    exports_before = _export_bytes(exports)
    assert {"chat_sessions.json", "chat_sessions.parquet", "mooc_sessions.parquet"} <= set(
        exports_before
    )

    # A new valid chat file, and a Parquet file that is not Parquet: the MOOC base model fails.
    new_chat = tmp_path / "input" / "chat" / "messages_part3.jsonl"
    new_chat.write_text(
        "".join(
            json.dumps(
                {
                    "event_name": "send_message",
                    "timestamp": f"2024-06-01T12:00:{second:02d}Z",
                    "user_id": "late-user",
                    "channel_id": "general",
                }
            )
            + "\n"
            for second in (0, 10, 50)
        )
    )
    corrupt = tmp_path / "input" / "mooc" / "zz_corrupt.parquet"
    corrupt.write_bytes(random.Random(7).randbytes(4096))
    failed = project.dbt("build", variables=variables)
    assert failed.returncode != 0
    assert "ERROR creating sql incremental model staging.base_mooc__interaction_rows" in (
        failed.stdout
    )
    assert "zz_corrupt.parquet" in failed.stdout
    assert _rows(project, "select * from user_sessions") == sessions_before
    assert _export_bytes(exports) == exports_before
    assert not [p for p in exports.iterdir() if p.name.endswith(".tmp")]

    corrupt.unlink()
    project.build(variables)
    sessions_after = _rows(project, "select * from user_sessions")
    assert sessions_after != sessions_before
    assert project.query(
        "select session_number, event_count from user_sessions"
        " where source = 'chat' and user_id = 'late-user' order by 1"
    ) == [(1, 2), (2, 1)]
    exported = json.loads((exports / "chat_sessions.json").read_text())
    assert [s["total_messages"] for s in exported if s["user_id"] == "late-user"] == [2, 1]

    full = DbtProject(tmp_path / "full_refresh")
    full.workdir.mkdir()
    full.build({**variables, "export_dir": str(tmp_path / "exports_full")}, "--full-refresh")
    assert _rows(full, "select * from user_sessions") == sessions_after
    assert json.loads((tmp_path / "exports_full" / "chat_sessions.json").read_text()) == exported


# ============================================================================================
# Edge cases found by this suite
# ============================================================================================


def test_empty_file_does_not_fail_the_build(tmp_path: Path) -> None:
    variables = sample_inputs(tmp_path)
    (tmp_path / "input" / "chat" / "empty.jsonl").write_bytes(b"")
    DbtProject(tmp_path).build(variables)


def test_mooc_epoch_out_of_timestamp_range_is_quarantined(tmp_path: Path) -> None:
    variables = {
        **sample_inputs(tmp_path),
        "chat_enabled": False,
        "segment_enabled": False,
        "app_enabled": False,
    }
    pq.write_table(
        pa.table(
            {
                "user_id": ["u1", "u2"],
                "item_id": ["i", "i"],
                "ts_epoch": pa.array([1709283600, 10**15], pa.int64()),
                "watch_percentage": [1.0, 1.0],
                "rating": pa.array([None, None], pa.float64()),
            }
        ),
        tmp_path / "input" / "mooc" / "z_out_of_range.parquet",
    )
    project = DbtProject(tmp_path)
    project.build(variables)
    assert project.query(
        "select line_number, rejection_reason from quarantined_events"
        " where file_name like '%z_out_of_range.parquet'"
    ) == [(2, "invalid_timestamp")]


def test_mooc_file_without_the_optional_rating_column_loads_in_a_later_run(tmp_path: Path) -> None:
    """An incremental run reading only a file that lacks `rating` reads it as null."""
    variables = {
        **sample_inputs(tmp_path),
        "chat_enabled": False,
        "segment_enabled": False,
        "app_enabled": False,
    }
    project = DbtProject(tmp_path)
    project.build(variables)
    pq.write_table(
        pa.table(
            {
                "user_id": ["late_learner"],
                "item_id": ["i1"],
                "ts_epoch": pa.array([1709283600], pa.int64()),
                "watch_percentage": [10.0],
            }
        ),
        tmp_path / "input" / "mooc" / "z_no_rating.parquet",
    )
    project.build(variables)
    assert project.query(
        "select user_id, rating from mooc_interaction_sessions where user_id = 'late_learner'"
    ) == [("late_learner", None)]
