"""The export contract (sessions_exports): a manifest reads back as written, its states (none yet,
broken) are clear errors, and every export has its own file names."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sessions_exports import (
    EXPORTS,
    MANIFEST_NAME,
    ExportedFile,
    ExportError,
    Manifest,
    NoBuildYet,
    mart_file,
)

instants = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)
files = st.dictionaries(
    st.from_regex(r"[a-z_]{1,12}\.(parquet|json)", fullmatch=True),
    st.builds(
        ExportedFile,
        mart=st.sampled_from(sorted(EXPORTS)),
        file_format=st.sampled_from(["parquet", "json"]),
        rows=st.integers(min_value=0, max_value=2**62),
        written_at=st.one_of(st.none(), instants),
    ),
    max_size=5,
)


@given(exported_at=instants, data_through=st.one_of(st.none(), instants), listed=files)
def test_a_manifest_reads_back_as_written(
    exported_at: datetime, data_through: datetime | None, listed: dict[str, ExportedFile]
) -> None:
    manifest = Manifest(exported_at, data_through, listed)
    document = json.loads(json.dumps(manifest.document()))
    read = Manifest.from_document(document)
    assert read == manifest
    assert read.as_of == {
        "exported_at": document["exported_at"],
        "data_through": document["data_through"],
    }
    assert document["exported_at"].endswith("Z")


def test_no_manifest_is_no_build_yet_and_a_broken_one_an_export_error(tmp_path: Path) -> None:
    with pytest.raises(NoBuildYet, match=r"No build yet: .*manifest\.json.*make build") as missing:
        Manifest.read(tmp_path)
    assert missing.value.path == tmp_path / MANIFEST_NAME
    for broken in ('{"files": ', '{"files": {}}', '{"exported_at": null, "files": {}}', "[]"):
        (tmp_path / MANIFEST_NAME).write_text(broken)
        with pytest.raises(ExportError, match="not a valid export manifest"):
            Manifest.read(tmp_path)


def test_written_manifest_is_read_and_lists_rows_by_mart(tmp_path: Path) -> None:
    moment = datetime(2024, 3, 4, 10, 0, tzinfo=UTC)
    written = ExportedFile("user_sessions", "parquet", 7, moment)
    Manifest(moment, None, {"user_sessions.parquet": written}).write(tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == [MANIFEST_NAME]
    read = Manifest.read(tmp_path)
    assert (read.rows("user_sessions"), read.rows("user_sessions", "json")) == (7, None)
    assert read.as_of == {"exported_at": "2024-03-04T10:00:00Z", "data_through": None}


def test_every_export_has_files_of_its_own(tmp_path: Path) -> None:
    names = [
        mart_file(tmp_path, mart, file_format).name
        for mart, export in EXPORTS.items()
        for file_format in export.formats
    ]
    assert len(names) == len(set(names))
    assert mart_file(tmp_path, "mooc_interaction_sessions") == tmp_path / "mooc_sessions.parquet"
