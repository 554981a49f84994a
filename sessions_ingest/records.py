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
- `line_end_byte`: for a JSON line, the offset in the file just after it (after its newline);
  null for an array element.

`load_records` reads what an incremental run loads (`FileLoad`): a whole file, or the part of a
JSON-lines file that grew after its earlier lines were loaded, and only complete lines (a last
line without its newline waits for a later run). Its records also carry the file's size and
modification time as listed when the run started (`LOAD_SCHEMA`).
"""

from __future__ import annotations

import codecs
import json
import queue
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
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
        pa.field("line_end_byte", pa.int64()),
    ]
)
LOAD_SCHEMA = SCHEMA.append(pa.field("file_size", pa.int64())).append(
    pa.field("file_modified_us", pa.int64())
)


def escape_bytes(raw: bytes) -> str:
    """`raw` as lossless text: printable ASCII and tabs as is, every other byte as `\\xNN`."""
    return "".join(chr(b) if 0x20 <= b < 0x7F or b == 0x09 else f"\\x{b:02X}" for b in raw)


class _Batches:
    """Builds the batches of one file: its name is the single dictionary value."""

    def __init__(self, file_name: str) -> None:
        self._names = pa.array([file_name], pa.string())

    def batch(
        self,
        first_line: int,
        lines: pa.Array,
        invalid: pa.Array | None = None,
        line_ends: np.ndarray | None = None,
    ) -> pa.RecordBatch:
        count = len(lines)
        names = pa.DictionaryArray.from_arrays(pa.array(np.zeros(count, np.int32)), self._names)
        numbers = pa.array(np.arange(first_line, first_line + count, dtype=np.int64))
        if invalid is None:
            invalid = pa.array(np.zeros(count, np.bool_))
        ends = pa.nulls(count, pa.int64()) if line_ends is None else pa.array(line_ends, pa.int64())
        return pa.RecordBatch.from_arrays([names, numbers, lines, invalid, ends], schema=SCHEMA)

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
    builder: _Batches, data: bytes, ends: np.ndarray, first_line: int, data_start: int
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
        yield builder.batch(
            first_line, _string_views(data, starts, text_ends), line_ends=ends + data_start
        )
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
    yield builder.batch(first_line, lines, pa.array(invalid, pa.bool_()), ends + data_start)


def _json_lines(
    path: str,
    handle: BinaryIO,
    head: bytes,
    *,
    head_start: int,
    first_line: int = 1,
    complete_only: bool = False,
) -> Iterator[pa.RecordBatch]:
    """Every line of a JSON-lines file from the offset `head_start`, `head` being the bytes read
    from there (BOMs removed), numbered from `first_line`. With `complete_only`, a last line
    without its newline is left out (it waits until it is complete)."""
    builder = _Batches(path)
    pending = head
    data_start = head_start  # the offset in the file of data[0]
    next_line = first_line
    while True:
        block = handle.read(BLOCK_BYTES)
        data = pending + block if pending else block
        if not data:
            return
        view = np.frombuffer(data, np.uint8)
        ends = np.flatnonzero(view == 0x0A) + 1
        if not block:  # the end of the file: a last line without a newline is a line too
            if not complete_only and (len(ends) == 0 or ends[-1] != len(data)):
                ends = np.append(ends, len(data))
            if len(ends):
                yield from _line_batches(builder, data, ends, next_line, data_start)
            return
        if len(ends) == 0:
            pending = data
            continue
        yield from _line_batches(builder, data, ends, next_line, data_start)
        next_line += len(ends)
        data_start += int(ends[-1])
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


class _Limited:
    """A binary file read only up to the offset `end`."""

    def __init__(self, handle: BinaryIO, end: int) -> None:
        self._handle = handle
        self._end = end

    def read(self, size: int) -> bytes:
        return self._handle.read(max(0, min(size, self._end - self._handle.tell())))

    def seek(self, offset: int) -> int:
        return self._handle.seek(offset)

    def tell(self) -> int:
        return self._handle.tell()


def file_batches(
    path: str, *, end: int | None = None, complete_only: bool = False
) -> Iterator[pa.RecordBatch]:
    """The records of one file (see the module's doc): its first `end` bytes (None: all of
    them); with `complete_only`, a last JSON line without its newline is left out."""
    with open(path, "rb") as raw:
        handle: Any = raw if end is None else _Limited(raw, end)
        bom_length = _bom_length(handle)
        head = b""
        while block := handle.read(64 << 10):
            head += block
            if head.lstrip(WHITESPACE):
                break
        if not head.lstrip(WHITESPACE).startswith(b"["):
            yield from _json_lines(
                path, handle, head, head_start=bom_length, complete_only=complete_only
            )
            return
    yield from _json_array(path, bom_length)


class FileChangedError(Exception):
    """A loaded file was changed in a way that cannot be loaded by appending its new lines."""


@dataclass(frozen=True)
class FileLoad:
    """What a run loads from one file: from `start_byte` (0: the whole file; more: the lines
    appended after `first_line - 1` lines ending at that offset were loaded) up to `size` (the
    size listed when the run started), with the file's modification time then (microseconds
    since the epoch) and the source it belongs to."""

    file_name: str
    size: int
    modified_us: int
    start_byte: int = 0
    first_line: int = 1
    source: str = ""


def _check_grown_file(raw: BinaryIO, load: FileLoad) -> None:
    """Raises FileChangedError unless the byte before the part `load` reads is a newline."""
    raw.seek(load.start_byte - 1)
    if raw.read(1) != b"\n":
        raise FileChangedError(
            f"The input file {load.file_name} changed after it was loaded: it grew, but "
            f"byte {load.start_byte - 1} is no longer the newline that ended the "
            f"{load.first_line - 1} lines loaded from it, so those lines were rewritten. "
            "Put the complete file in place and reload the source: "
            f"make backfill SOURCE={load.source or '<source>'} (docs/incremental.md)."
        )


def _grown_part(load: FileLoad) -> Iterator[pa.RecordBatch]:
    """The complete lines appended to a JSON-lines file after its first `start_byte` bytes were
    loaded; the byte before them must be the newline that ended the last line loaded."""
    with open(load.file_name, "rb") as raw:
        _check_grown_file(raw, load)
        yield from _json_lines(
            load.file_name,
            _Limited(raw, load.size),  # type: ignore[arg-type]
            b"",
            head_start=load.start_byte,
            first_line=load.first_line,
            complete_only=True,
        )


def load_batches(load: FileLoad) -> Iterator[pa.RecordBatch]:
    """The records a run loads from one file (`LOAD_SCHEMA`): complete lines only."""
    parts = (
        _grown_part(load)
        if load.start_byte > 0
        else file_batches(load.file_name, end=load.size, complete_only=True)
    )
    for batch in parts:
        count = batch.num_rows
        yield pa.RecordBatch.from_arrays(
            [
                *batch.columns,
                pa.array(np.full(count, load.size, np.int64)),
                pa.array(np.full(count, load.modified_us, np.int64)),
            ],
            schema=LOAD_SCHEMA,
        )


def records(paths: Sequence[str]) -> Iterator[pa.RecordBatch]:
    """The records of every file in `paths`, in order, split ahead in a background thread."""
    return _prefetched([lambda path=path: file_batches(path) for path in paths])


def loaded_records(loads: Sequence[FileLoad]) -> Iterator[pa.RecordBatch]:
    """The records of every load in `loads` (`LOAD_SCHEMA`), in order, split ahead."""
    return _prefetched([lambda load=load: load_batches(load) for load in loads])


def _prefetched(parts: Sequence[Any]) -> Iterator[pa.RecordBatch]:
    """The batches of each of `parts` (functions giving batches), in order, made ahead in a
    background thread."""
    batches: queue.Queue[pa.RecordBatch | BaseException | None] = queue.Queue(PREFETCH_BLOCKS)
    stop = threading.Event()

    def produce() -> None:
        try:
            for part in parts:
                for batch in part():
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


class LoadedRecords:
    """The records of `loads` as an Arrow stream DuckDB can scan (`LOAD_SCHEMA`)."""

    def __init__(self, loads: Sequence[FileLoad]) -> None:
        self.loads = list(loads)

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        reader = pa.RecordBatchReader.from_batches(LOAD_SCHEMA, loaded_records(self.loads))
        return reader.__arrow_c_stream__(requested_schema)


def check_grown_files(loads: Sequence[FileLoad]) -> None:
    """Raises FileChangedError, naming the file, when a JSON-lines file that grew no longer has
    the newline that ended its loaded lines where it was (one byte read per grown file)."""
    for load in loads:
        if load.start_byte > 0:
            with open(load.file_name, "rb") as raw:
                _check_grown_file(raw, load)


PLAN_COLUMNS = ("file_name", "file_size", "file_modified_us", "start_byte", "first_line")


def register_planned_loads(
    connection: Any,
    view_name: str,
    loads: Sequence[Mapping[str, Any]] | None,
    plan_sql: str,
    source: str,
) -> None:
    """Make the records of `loads` (dicts of PLAN_COLUMNS; None: every row of the load plan
    `plan_sql`, run here) readable as `view_name` on `connection`, after checking that every
    grown file still ends its loaded part where it did."""
    if loads is None:
        rows = connection.sql(
            f"select {', '.join(PLAN_COLUMNS)} from ({plan_sql}) as plan"
            " where change in ('new', 'grew') order by file_name"
        ).fetchall()
        loads = [dict(zip(PLAN_COLUMNS, row, strict=True)) for row in rows]
    file_loads = [
        FileLoad(
            file_name=load["file_name"],
            size=int(load["file_size"]),
            modified_us=int(load["file_modified_us"]),
            start_byte=int(load["start_byte"]),
            first_line=int(load["first_line"]),
            source=source,
        )
        for load in loads
    ]
    check_grown_files(file_loads)
    connection.register(view_name, LoadedRecords(file_loads))
