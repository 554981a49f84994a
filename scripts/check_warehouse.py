"""Say clearly, before dbt starts, when the warehouse file is held by another process.

DuckDB lets one process write a database file at a time. Exit status 0 when the file can be
opened for writing (or does not exist yet), 1 with an explanation when another process holds it.
Usage: python scripts/check_warehouse.py [path]   (default: $SESSIONS_DUCKDB_PATH)
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import duckdb


def main() -> int:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ["SESSIONS_DUCKDB_PATH"])
    if not path.exists():
        return 0
    try:
        duckdb.connect(str(path)).close()
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise
        holder = re.search(r"held in (.+?) \(PID (\d+)\)", str(error))
        who = f" by {holder.group(1)} (PID {holder.group(2)})" if holder else ""
        print(
            f"The warehouse {path} is in use{who}: DuckDB lets one process write it at a time.\n"
            "Wait for that run to finish, or close the interactive session holding it "
            "(e.g. `make query`), then run again. dbt itself retries for a few seconds "
            "(SESSIONS_CONNECT_ATTEMPTS, default 4 attempts).",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
