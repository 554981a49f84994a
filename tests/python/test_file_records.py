"""The streaming reader of JSON input files (sessions_ingest.records) against a plain-Python
reference that reads each file whole: the same records, numbers and texts, for files of any
bytes (BOMs, CR and CRLF endings, blank lines, bytes that are not UTF-8, lines longer than a
block) and for JSON arrays, valid or not."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sessions_ingest import records

BOM = b"\xef\xbb\xbf"
Record = tuple[int, str, bool]


def escaped(raw: bytes) -> str:
    return "".join(chr(b) if 0x20 <= b < 0x7F or b == 0x09 else f"\\x{b:02X}" for b in raw)


def reference_lines(data: bytes) -> list[Record]:
    """Every line of a JSON-lines file, read whole."""
    while data.startswith(BOM):
        data = data[len(BOM) :]
    pieces = data.split(b"\n")
    if data.endswith(b"\n") or not data:
        pieces = pieces[:-1]
    result = []
    for number, piece in enumerate(pieces, start=1):
        try:
            result.append((number, piece.decode("utf-8").rstrip("\r"), False))
        except UnicodeDecodeError:
            result.append((number, escaped(piece.removesuffix(b"\r")), True))
    return result


def reference_array(data: bytes) -> list[Record]:
    """The elements of a JSON-array file, read whole, each re-serialized for comparison."""
    while data.startswith(BOM):
        data = data[len(BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return [(0, data.decode("utf-8", "replace")[: records.ARRAY_PREVIEW_CHARS], True)]
    try:
        document = json.loads(text, parse_constant=records._reject_constant)
    except ValueError:
        document = None
    if not isinstance(document, list):
        return [(0, text[: records.ARRAY_PREVIEW_CHARS], False)]
    return [(number, json.dumps(e), False) for number, e in enumerate(document, start=1)]


def read(path: Path) -> list[Record]:
    table = pa.Table.from_batches(list(records.records([str(path)])), records.SCHEMA)
    assert set(table.column("file_name").to_pylist()) <= {str(path)}
    return list(
        zip(
            table.column("line_number").to_pylist(),
            table.column("raw_line").to_pylist(),
            table.column("is_invalid_utf8").to_pylist(),
            strict=True,
        )
    )


line_bytes = st.one_of(
    st.binary(max_size=40),
    st.text(max_size=30).map(lambda text: text.encode("utf-8")),
    st.sampled_from([b"", b" ", b"\t", b"\r", b"\r\r", b'{"a": 1}', b"\xff\xfe", b"\xc3"]),
).map(lambda raw: raw.replace(b"\n", b""))
endings = st.sampled_from([b"\n", b"\r\n"])


@st.composite
def json_lines_files(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(st.tuples(line_bytes, endings), max_size=30))
    data = b"".join(line + ending for line, ending in lines)
    if draw(st.booleans()) and data:
        data = data.removesuffix(b"\n")  # a last line without a newline
    return draw(st.sampled_from([b"", BOM, BOM + BOM])) + data


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=json_lines_files(), block_bytes=st.sampled_from([1, 3, 7, 64, 1 << 20]))
def test_json_lines_match_the_whole_file_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes, block_bytes: int
) -> None:
    if data.removeprefix(BOM).removeprefix(BOM).lstrip(b" \t\r\n").startswith(b"["):
        return  # an array file: see the array tests
    monkeypatch.setattr(records, "BLOCK_BYTES", block_bytes)
    path = tmp_path / "events.jsonl"
    path.write_bytes(data)
    assert read(path) == reference_lines(data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    elements=st.lists(json_values, max_size=12),
    indent=st.sampled_from([None, 2]),
    damage=st.sampled_from([None, "truncate", "trailing", "invalid_utf8", "trailing_comma"]),
    block_bytes=st.sampled_from([2, 16, 1 << 20]),
)
def test_json_arrays_match_the_whole_file_reading(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    elements: list,
    indent: int | None,
    damage: str | None,
    block_bytes: int,
) -> None:
    monkeypatch.setattr(records, "BLOCK_BYTES", block_bytes)
    data = (" \n" + json.dumps(elements, indent=indent) + "\n").encode("utf-8")
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "trailing":
        data += b"{}"
    elif damage == "invalid_utf8":
        data = data.replace(b"[", b'["\xff",', 1)
    elif damage == "trailing_comma" and elements:
        data = data.rstrip().removesuffix(b"]") + b",]"
    path = tmp_path / "export.json"
    path.write_bytes(BOM + data)
    if not data.lstrip(b" \t\r\n").startswith(b"["):  # damaged into JSON lines
        assert read(path) == reference_lines(BOM + data)
        return
    actual = [
        (number, json.dumps(json.loads(text)) if number else text, invalid)
        for number, text, invalid in read(path)
    ]
    assert actual == reference_array(BOM + data)


def test_an_array_element_keeps_its_exact_text(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text('[ {"a": 1,  "b": [1, 2]} ,\n  "x" ]')
    assert read(path) == [(1, '{"a": 1,  "b": [1, 2]}', False), (2, '"x"', False)]


def test_files_are_read_in_order_and_numbered_each_from_one(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_bytes(b"1\n2\n")
    second.write_bytes(b"3\n")
    table = pa.Table.from_batches(list(records.records([str(first), str(second)])))
    assert list(
        zip(
            table.column("file_name").to_pylist(),
            table.column("line_number").to_pylist(),
            strict=True,
        )
    ) == [(str(first), 1), (str(first), 2), (str(second), 1)]
