"""The records of JSON input files, streamed to DuckDB as Arrow batches.

One record per line of a JSON-lines file, or per element of a file that holds one JSON array
(a file whose first character after a byte-order mark and white space is `[`). Files are read
in blocks of `BLOCK_BYTES`, never whole, and a background thread splits the next blocks while
DuckDB parses the current one on every core. Columns (`SCHEMA`):

- `file_name`, `line_number`: where the record is. Lines count from 1, the piece after a final
  newline is not a line; array elements count from 1; a whole file that cannot be read as an
  array is one record numbered 0.
- `raw_line`: the record's text. A JSON line keeps its line ending here (the model trims `\\n`
  and `\\r`, which no line holds elsewhere); a leading UTF-8 byte-order mark of the file is
  removed. A line that is not valid UTF-8 is shown losslessly: printable ASCII and tabs as
  they are, every other byte as `\\xNN`, one carriage return before its newline dropped. An
  array element is its exact text in the file. An unreadable array is its first
  `ARRAY_PREVIEW_CHARS` characters.
- `is_invalid_utf8`: the record's bytes are not UTF-8 (an array file with such bytes is one
  record numbered 0, since it cannot be split safely).
"""

from __future__ import annotations

import codecs
import json
import queue
import threading
from collections.abc import Iterator, Sequence
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa

BLOCK_BYTES = 16 << 20
ARRAY_PREVIEW_CHARS = 4096
PREFETCH_BLOCKS = 3
BOM = b"\xef\xbb\xbf"
WHITESPACE = b" \t\r\n"

SCHEMA = pa.schema(
    [
        pa.field("file_name", pa.dictionary(pa.int32(), pa.string())),
        pa.field("line_number", pa.int64()),
        pa.field("raw_line", pa.large_string()),
        pa.field("is_invalid_utf8", pa.bool_()),
    ]
)


def escape_bytes(raw: bytes) -> str:
    """`raw` as lossless text: printable ASCII and tabs as is, every other byte as `\\xNN`."""
    return "".join(chr(b) if 0x20 <= b < 0x7F or b == 0x09 else f"\\x{b:02X}" for b in raw)


class _Batches:
    """Builds the batches of one file: its name is the single dictionary value."""

    def __init__(self, file_name: str) -> None:
        self._names = pa.array([file_name], pa.string())

    def batch(self, first_line: int, lines: pa.Array, invalid: pa.Array | None = None) -> pa.RecordBatch:
        count = len(lines)
        names = pa.DictionaryArray.from_arrays(pa.array(np.zeros(count, np.int32)), self._names)
        numbers = pa.array(np.arange(first_line, first_line + count, dtype=np.int64))
        if invalid is None:
            invalid = pa.array(np.zeros(count, np.bool_))
        return pa.RecordBatch.from_arrays([names, numbers, lines, invalid], schema=SCHEMA)

    def rows(self, rows: Sequence[tuple[int, str, bool]]) -> pa.RecordBatch:
        names = pa.DictionaryArray.from_arrays(pa.array(np.zeros(len(rows), np.int32)), self._names)
        return pa.RecordBatch.from_arrays(
            [
                names,
                pa.array([r[0] for r in rows], pa.int64()),
                pa.array([r[1] for r in rows], pa.large_string()),
                pa.array([r[2] for r in rows], pa.bool_()),
            ],
            schema=SCHEMA,
        )


def _is_utf8(data: bytes | memoryview) -> bool:
    try:
        codecs.decode(data, "utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _line_batches(builder: _Batches, data: bytes, ends: np.ndarray, first_line: int) -> Iterator[pa.RecordBatch]:
    """The lines data[ends[i-1]:ends[i]] (each with its line ending) as one batch, or, when the
    block is not valid UTF-8, its valid lines as text and each invalid line escaped."""
    offsets = np.empty(len(ends) + 1, np.int64)
    offsets[0] = 0
    offsets[1:] = ends
    lines = pa.LargeStringArray.from_buffers(len(ends), pa.py_buffer(offsets), pa.py_buffer(data))
    try:
        lines.validate(full=True)  # checks that every line is UTF-8
    except pa.ArrowInvalid:
        pass
    else:
        yield builder.batch(first_line, lines)
        return
    texts: list[str] = []
    invalid: list[bool] = []
    for start, end in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True):
        line = data[start:end]
        try:
            texts.append(line.decode("utf-8"))
            invalid.append(False)
        except UnicodeDecodeError:
            texts.append(escape_bytes(line.removesuffix(b"\n").removesuffix(b"\r")))
            invalid.append(True)
    yield builder.batch(first_line, pa.array(texts, pa.large_string()), pa.array(invalid, pa.bool_()))


def _json_lines(path: str, handle: BinaryIO, head: bytes) -> Iterator[pa.RecordBatch]:
    """Every line of a JSON-lines file, `head` being its first bytes (BOMs removed)."""
    builder = _Batches(path)
    pending = head
    next_line = 1
    while True:
        block = handle.read(BLOCK_BYTES)
        data = pending + block if pending else block
        if not data:
            return
        view = np.frombuffer(data, np.uint8)
        ends = np.flatnonzero(view == 0x0A) + 1
        if not block:  # the end of the file: a last line without a newline is a line too
            if len(ends) == 0 or ends[-1] != len(data):
                ends = np.append(ends, len(data))
            yield from _line_batches(builder, data, ends, next_line)
            return
        if len(ends) == 0:
            pending = data
            continue
        yield from _line_batches(builder, data, ends, next_line)
        next_line += len(ends)
        pending = data[int(ends[-1]) :]


class _InvalidArray(Exception):
    """The file is not one valid JSON array of UTF-8 text."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_STRICT_JSON = json.JSONDecoder(parse_constant=_reject_constant)
# An element may be larger than a block: the window grows up to this before the file counts
# as unreadable (memory stays bounded whatever the file holds).
MAX_ELEMENT_CHARS = 64 << 20


class _TextWindow:
    """The decoded text of a file, a block at a time: `text[position:]` is what is unread."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.text = ""
        self.position = 0
        self.at_end = False

    def grow(self) -> bool:
        """Read the next block; False at the end of the file."""
        if self.at_end:
            return False
        block = self._handle.read(BLOCK_BYTES)
        try:
            chunk = self._decoder.decode(block, final=not block)
        except UnicodeDecodeError as error:
            raise _InvalidArray("not UTF-8") from error
        self.at_end = not block
        self.text = self.text[self.position :] + chunk
        self.position = 0
        if len(self.text) > MAX_ELEMENT_CHARS + BLOCK_BYTES:
            raise _InvalidArray("an element larger than the reader's window")
        return True

    def peek(self) -> str | None:
        """The next character that is not white space, or None at the end."""
        while True:
            while self.position < len(self.text) and self.text[self.position] in " \t\r\n":
                self.position += 1
            if self.position < len(self.text):
                return self.text[self.position]
            if not self.grow():
                return None

    def value(self) -> str:
        """The exact text of the JSON value that starts at `position`, which moves past it."""
        while True:
            try:
                _, end = _STRICT_JSON.raw_decode(self.text, self.position)
            except ValueError as error:
                if self.grow():
                    continue
                raise _InvalidArray(str(error)) from error
            # A number at the end of the window may go on in the next block.
            if end == len(self.text) and self.grow():
                continue
            element = self.text[self.position : end]
            self.position = end
            return element


def _array_elements(handle: BinaryIO) -> Iterator[str]:
    """The exact text of each element of the JSON array in the file (read from its current
    position), in order. Raises _InvalidArray when the file is not one valid JSON array."""
    window = _TextWindow(handle)
    if window.peek() != "[":
        raise _InvalidArray("not an array")
    window.position += 1
    if window.peek() == "]":
        window.position += 1
    else:
        while True:
            yield window.value()
            separator = window.peek()
            window.position += 1
            if separator == "]":
                break
            if separator != ",":
                raise _InvalidArray("expected , or ]")
            window.peek()
    if window.peek() is not None:
        raise _InvalidArray("text after the array")


def _json_array(path: str, bom_length: int) -> Iterator[pa.RecordBatch]:
    """The elements of a JSON-array file, numbered from 1, or one record numbered 0 when the
    file is not one valid array: a first pass checks the whole file, a second streams it."""
    builder = _Batches(path)
    with open(path, "rb") as handle:
        handle.seek(bom_length)
        try:
            for _ in _array_elements(handle):
                pass
        except _InvalidArray:
            handle.seek(bom_length)
            start = handle.read(ARRAY_PREVIEW_CHARS * 4)
            handle.seek(bom_length)
            invalid_utf8 = not _stream_is_utf8(handle)
            preview = start.decode("utf-8", "replace")[:ARRAY_PREVIEW_CHARS]
            yield builder.rows([(0, preview, invalid_utf8)])
            return
        handle.seek(bom_length)
        rows: list[tuple[int, str, bool]] = []
        size = 0
        for number, element in enumerate(_array_elements(handle), start=1):
            rows.append((number, element, False))
            size += len(element)
            if size >= BLOCK_BYTES:
                yield builder.rows(rows)
                rows, size = [], 0
        if rows:
            yield builder.rows(rows)


def _stream_is_utf8(handle: BinaryIO) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while block := handle.read(BLOCK_BYTES):
            decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _bom_length(handle: BinaryIO) -> int:
    """How many bytes the byte-order marks at the start of the file take."""
    handle.seek(0)
    length = 0
    while handle.read(len(BOM)) == BOM:
        length += len(BOM)
    handle.seek(length)
    return length


def file_batches(path: str) -> Iterator[pa.RecordBatch]:
    """The records of one file (see the module's doc)."""
    with open(path, "rb") as handle:
        bom_length = _bom_length(handle)
        head = b""
        while block := handle.read(64 << 10):
            head += block
            if head.lstrip(WHITESPACE):
                break
        if not head.lstrip(WHITESPACE).startswith(b"["):
            yield from _json_lines(path, handle, head)
            return
    yield from _json_array(path, bom_length)


def records(paths: Sequence[str]) -> Iterator[pa.RecordBatch]:
    """The records of every file in `paths`, in order, split ahead in a background thread."""
    batches: queue.Queue[pa.RecordBatch | BaseException | None] = queue.Queue(PREFETCH_BLOCKS)
    stop = threading.Event()

    def produce() -> None:
        try:
            for path in paths:
                for batch in file_batches(path):
                    if stop.is_set():
                        return
                    batches.put(batch)
            batches.put(None)
        except BaseException as error:  # handed to the consumer, which raises it
            batches.put(error)

    worker = threading.Thread(target=produce, name="sessions-records", daemon=True)
    worker.start()
    try:
        while (item := batches.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():
            try:
                batches.get_nowait()
            except queue.Empty:
                worker.join(0.01)


class JsonRecords:
    """The records of `paths` as an Arrow stream DuckDB can scan: every scan reads the files
    again, so a query that binds before it scans sees the same records."""

    def __init__(self, paths: Sequence[str]) -> None:
        self.paths = list(paths)

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        reader = pa.RecordBatchReader.from_batches(SCHEMA, records(self.paths))
        return reader.__arrow_c_stream__(requested_schema)


def register(connection: Any, view_name: str, paths: Sequence[str]) -> None:
    """Make the records of `paths` readable as `view_name` on `connection` (a DuckDB
    connection or cursor)."""
    connection.register(view_name, JsonRecords(paths))
