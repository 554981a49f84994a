"""`python -m collector` (`make collector`): the API on uvicorn, configured from the
environment (see docs/collector.md)."""

from __future__ import annotations

import sys

import uvicorn

from collector.app import create_app
from collector.config import ConfigError, load_settings


def main() -> int:
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"collector: {error}", file=sys.stderr)
        return 2
    if not settings.authenticated:
        print("collector: local demo without API keys (loopback only)", file=sys.stderr)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        access_log=settings.access_log,
        # One process: the landing folder has one writer (the spool's lock refuses a second).
        workers=1,
        log_level="info",
        timeout_graceful_shutdown=10,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
