"""The files a source's path or glob matches, listed by Python for DuckDB.

`glob` and `os.stat` list a landing folder of 500,000 files about three times faster than
DuckDB's `read_blob` listing; the result has read_blob's columns (filename, size,
last_modified at whole seconds), so the load plan (macros/incremental/file_load_plan.sql) reads
either. Names are as the glob gives them (relative patterns stay relative), regular files only,
in name order.
"""

from __future__ import annotations

import glob
import os
import stat
from typing import Any

import pyarrow as pa

SCHEMA = pa.schema(
    [
        pa.field("filename", pa.string()),
        pa.field("size", pa.int64()),
        pa.field("last_modified", pa.timestamp("us", tz="UTC")),
    ]
)


def listed_files(pattern: str) -> pa.Table:
    """Every regular file `pattern` matches: name, size, modification time (whole seconds)."""
    names, sizes, modified = [], [], []
    for name in sorted(glob.glob(pattern, recursive=True)):
        try:
            status = os.stat(name)
        except FileNotFoundError:  # removed since it was listed
            continue
        if stat.S_ISREG(status.st_mode):
            names.append(name)
            sizes.append(status.st_size)
            modified.append(status.st_mtime_ns // 1_000_000_000 * 1_000_000)
    return pa.table([names, sizes, modified], schema=SCHEMA)


def register_listing(connection: Any, view_name: str, pattern: str) -> None:
    """Make the files `pattern` matches readable as `view_name` on `connection`."""
    connection.register(view_name, listed_files(pattern))
