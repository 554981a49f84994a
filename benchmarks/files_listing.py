"""Time an incremental `dbt build` that finds one new file in a landing folder of many files.

For each folder size (--small files, then --files files, in this one process run): a landing
folder of that many tiny chat files (one JSON line each) next to the sample app events, a full
`dbt build` once, then one more chat file and the incremental `dbt build` timed (--repeats
times, each from a copy of the warehouse as it was after the full build; the median counts).
Prints each time and the ratio of the large folder's to the small one's: the listing of the
landing folder, the comparison with the files already loaded and the tests must not grow with
the files already there (the goal: at most 2x from 100 to 500,000 files).

Usage: .venv/bin/python benchmarks/files_listing.py [--files 500000] [--small 100] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from sessions_testkit.history import run_dbt

PROJECT_DIR = Path(__file__).resolve().parents[1]
LINE = {"event_name": "message_sent", "user_id": "u{n}", "channel_id": "C1"}


def chat_line(number: int) -> str:
    minute, second = divmod(number % 3600, 60)
    return json.dumps(
        {
            **LINE,
            "user_id": f"u{number % 1000}",
            "timestamp": f"2016-11-08T{10 + number // 3600 % 10:02d}:{minute:02d}:{second:02d}Z",
        }
    )


def write_landing(landing: Path, files: int) -> float:
    """`files` chat files of one line each, and the sample app events; returns its seconds."""
    started = time.perf_counter()
    chat = landing / "chat"
    chat.mkdir(parents=True)
    for number in range(files):
        (chat / f"part-{number:07d}.jsonl").write_text(chat_line(number) + "\n")
    shutil.copytree(PROJECT_DIR / "data" / "sample" / "app", landing / "app")
    return time.perf_counter() - started


def copy_warehouse(source: Path, target: Path) -> None:
    for suffix in ("", ".wal"):
        origin, destination = Path(f"{source}{suffix}"), Path(f"{target}{suffix}")
        destination.unlink(missing_ok=True)
        if origin.exists():
            shutil.copyfile(origin, destination)


def measure(files: int, repeats: int, root: Path) -> float:
    """The median seconds of the incremental build that loads one new file among `files`."""
    landing, work = root / f"landing_{files}", root / f"work_{files}"
    work.mkdir(parents=True)
    print(f"{files:>9,} files: writing ...", flush=True)
    written = write_landing(landing, files)
    built = work / "built.duckdb"
    full = run_dbt(built, landing, "build", work_dir=work)
    print(f"{files:>9,} files: written in {written:.1f} s, full build {full:.1f} s", flush=True)
    (landing / "chat" / "part-new.jsonl").write_text(chat_line(files) + "\n")
    times = []
    for _ in range(repeats):
        warehouse = work / "run.duckdb"
        copy_warehouse(built, warehouse)
        times.append(run_dbt(warehouse, landing, "build", work_dir=work))
    median = statistics.median(times)
    shown = ", ".join(f"{seconds:.1f}" for seconds in times)
    print(f"{files:>9,} files: incremental build with one new file {median:.1f} s ({shown})")
    shutil.rmtree(landing)
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=500_000)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sessions-files-") as temporary:
        root = Path(temporary)
        small = measure(arguments.small, arguments.repeats, root)
        large = measure(arguments.files, arguments.repeats, root)
    print(
        f"ratio {arguments.files:,} files / {arguments.small:,} files: {large / small:.2f}"
        f" ({large:.1f} s / {small:.1f} s)"
    )


if __name__ == "__main__":
    main()
