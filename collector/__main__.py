"""`python -m collector` (`make collector`): the API on uvicorn, configured from the
environment (see docs/collector.md)."""

from __future__ import annotations

import sys

import uvicorn

from collector.app import FAILED_EXIT_CODE, create_app
from collector.config import ConfigError, load_settings


def main() -> int:
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"collector: {error}", file=sys.stderr)
        return 2
    if not settings.authenticated:
        print("collector: local demo without API keys (loopback only)", file=sys.stderr)
    app = create_app(settings)
    collector = app.app.state.collector  # type: ignore[attr-defined]
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        access_log=settings.access_log,
        # One process: the landing folder has one writer (the spool's lock refuses a second).
        workers=1,
        log_level="info",
        timeout_graceful_shutdown=10,
    )
    server = uvicorn.Server(config)

    def shutdown() -> None:
        server.should_exit = True

    collector.shutdown = shutdown
    server.run()
    failed = collector.spool.failed
    if failed is not None:
        # A supervisor restarts it; the restart's recovery publishes every complete line.
        print(f"collector: stopped: {failed}", file=sys.stderr)
        return FAILED_EXIT_CODE
    return 0


if __name__ == "__main__":
    sys.exit(main())
