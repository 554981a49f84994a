"""The records of JSON input files, streamed to DuckDB as Arrow batches.

One record per line of a JSON-lines file, or per element of a file that holds one JSON array
(a file whose first character after a byte-order mark and white space is `[`). Files are read
in blocks of `BLOCK_BYTES`, never whole, and a background thread splits the next blocks while
DuckDB parses the current one on every core. Columns (`SCHEMA`):

- `file_name`, `line_number`: where the record is. Lines count from 1, the piece after a final
  newline is not a line; array elements count from 1; a whole file that cannot be read as an
  array is one record numbered 0.
- `raw_line`: the record's text. A JSON line without its newline and the carriage returns
  before it (a view into the block read, not a copy); a leading UTF-8 byte-order mark of the
  file is removed. A line that is not valid UTF-8 is shown losslessly: printable ASCII and tabs as
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
        pa.field("raw_line", pa.string_view()),
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

    def batch(
        self, first_line: int, lines: pa.Array, invalid: pa.Array | None = None
    ) -> pa.RecordBatch:
        count = len(lines)
        names = pa.DictionaryArray.from_arrays(pa.array(np.zeros(count, np.int32)), self._names)
        numbers = pa.array(np.arange(first_line, first_line + count, dtype=np.int64))
        if invalid is None:
            invalid = pa.array(np.zeros(count, np.bool_))
        return pa.RecordBatch.from_arrays([names, numbers, lines, invalid], schema=SCHEMA)

    def texts(self, first_line: int, texts: Sequence[str], invalid: bool = False) -> pa.RecordBatch:
        """Records numbered from `first_line` holding `texts`, all flagged `invalid` or not."""
        flags = pa.array(np.full(len(texts), invalid, np.bool_))
        return self.batch(first_line, pa.array(texts, pa.string_view()), flags)


def _string_views(data: bytes, starts: np.ndarray, ends: np.ndarray) -> pa.Array:
    """data[starts[i]:ends[i]] as an Arrow string view array over `data`, without copying it:
    16 bytes a line (its length, then its first 4 bytes and where it lies in `data`, or the line
    itself when it has at most 12 bytes)."""
    view = np.frombuffer(data, np.uint8)
    count = len(starts)
    lengths = (ends - starts).astype(np.int32)
    views = np.zeros((count, 16), np.uint8)
    views[:, 0:4] = lengths.view(np.uint8).reshape(count, 4)
    long_lines = np.flatnonzero(lengths > 12)
    if len(long_lines):
        views[long_lines, 4:8] = view[starts[long_lines, None] + np.arange(4)]
        views[long_lines, 12:16] = (
            starts[long_lines].astype(np.int32).view(np.uint8).reshape(len(long_lines), 4)
        )
    short_lines = np.flatnonzero(lengths <= 12)
    for position in range(12):
        holding = short_lines[lengths[short_lines] > position]
        if not len(holding):
            break
        views[holding, 4 + position] = view[starts[holding] + position]
    return pa.Array.from_buffers(
        pa.string_view(), count, [None, pa.py_buffer(views), pa.py_buffer(data)]
    )


def _line_batches(
    builder: _Batches, data: bytes, ends: np.ndarray, first_line: int
) -> Iterator[pa.RecordBatch]:
    """The lines data[ends[i-1]:ends[i]] as one batch: each without its newline and the carriage
    returns before it. When the block is not valid UTF-8, its valid lines are text and each
    invalid line is escaped (one carriage return before its newline dropped)."""
    view = np.frombuffer(data, np.uint8)
    starts = np.empty(len(ends), np.int64)
    starts[0] = 0
    starts[1:] = ends[:-1]
    text_ends = ends - (view[ends - 1] == 0x0A)
    while True:
        carriage_returns = (text_ends > starts) & (view[np.maximum(text_ends - 1, 0)] == 0x0D)
        if not carriage_returns.any():
            break
        text_ends = text_ends - carriage_returns
    block = pa.LargeStringArray.from_buffers(
        1, pa.py_buffer(np.array([0, ends[-1]], np.int64)), pa.py_buffer(data)
    )
    try:
        block.validate(full=True)  # checks that the block is UTF-8
    except pa.ArrowInvalid:
        pass
    else:
        yield builder.batch(first_line, _string_views(data, starts, text_ends))
        return
    texts: list[str] = []
    invalid: list[bool] = []
    for start, end, text_end in zip(
        starts.tolist(), ends.tolist(), text_ends.tolist(), strict=True
    ):
        try:
            texts.append(data[start:text_end].decode("utf-8"))
            invalid.append(False)
        except UnicodeDecodeError:
            line = data[start:end].removesuffix(b"\n").removesuffix(b"\r")
            texts.append(escape_bytes(line))
            invalid.append(True)
    lines = pa.array(texts, pa.string_view())
    yield builder.batch(first_line, lines, pa.array(invalid, pa.bool_()))


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
            yield builder.texts(0, [preview], invalid_utf8)
            return
        handle.seek(bom_length)
        elements: list[str] = []
        first_number, size = 1, 0
        for element in _array_elements(handle):
            elements.append(element)
            size += len(element)
            if size >= BLOCK_BYTES:
                yield builder.texts(first_number, elements)
                first_number += len(elements)
                elements, size = [], 0
        if elements:
            yield builder.texts(first_number, elements)


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
