"""The ASGI layer in front of every endpoint: API keys and body sizes, checked before a body is
parsed (so an unauthenticated or oversized request is refused without reading it whole)."""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

from collector.config import Keys
from collector.models import MAX_BATCH_BYTES, MAX_EVENT_BYTES

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

API_PREFIX = "/api/v1/sessions"
# Paths answered without a key: the load balancers' health check and the API's own docs.
OPEN_PATHS = {
    "/health",
    f"{API_PREFIX}/health",
    "/docs",
    "/docs/oauth2-redirect",
    "/openapi.json",
    "/redoc",
}


class BodyTooLarge(Exception):
    pass


class RateLimiter:
    """A token bucket per key: `rate` requests a second, `burst` at once; the answer to a
    request over it is how many seconds until the next one is allowed."""

    MAX_KEYS = 100_000

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = max(burst, 1.0)
        self._buckets: dict[bytes, tuple[float, float]] = {}

    def wait_seconds(self, key: bytes, now: float | None = None) -> float:
        """0 when the request may go on (and counts it); else the seconds to wait."""
        now = time.monotonic() if now is None else now
        tokens, at = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate
        if len(self._buckets) >= self.MAX_KEYS and key not in self._buckets:
            # Forget the full buckets (they would be full again anyway).
            self._buckets = {k: v for k, v in self._buckets.items() if v[0] < self.burst}
        self._buckets[key] = (tokens - 1, now)
        return 0.0


def body_limit(path: str) -> int:
    return MAX_BATCH_BYTES if path.endswith("/events") else MAX_EVENT_BYTES


async def send_json(send: Send, status: int, body: dict[str, Any], **headers: str) -> None:
    payload = json.dumps(body).encode()
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", b"%d" % len(payload)),
    ]
    raw_headers += [(name.encode(), value.encode()) for name, value in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


def _bearer(scope: Scope) -> bytes | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.partition(b" ")
            return token.strip() if scheme.lower() == b"bearer" and token.strip() else None
    return None


def _query_key(scope: Scope) -> bytes | None:
    """`?key=...`: a publishable key, for `navigator.sendBeacon` (it cannot send headers)."""
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("key")
    return values[-1].encode() if values else None


def _header(scope: Scope, name: bytes) -> str | None:
    for header, value in scope.get("headers", []):
        if header == name:
            return value.decode("latin-1")
    return None


LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1"}
CORS_MAX_AGE_SECONDS = 600


def _host_name(host: str) -> str:
    """The name of a Host header, without its port (`[::1]:8000` -> `::1`)."""
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


class Gate:
    """Keys, origins and sizes, before the API sees a request.

    - Server keys (`Authorization: Bearer`): write keys write, read keys read.
    - Publishable keys (browsers): write only, and only from an allowed origin (`Origin`); in the
      header or, for sendBeacon, in the query (`?key=`).
    - CORS: preflights of allowed origins are answered (others refused), and answers to an allowed
      origin say so (`Access-Control-Allow-Origin`).
    - A demo without keys answers only to a loopback Host (no DNS rebinding) and refuses a write
      from another site's page (a form or a text/plain POST needs no preflight).
    """

    def __init__(
        self,
        app: ASGIApp,
        keys: Keys,
        authenticated: bool = True,
        allowed_origins: frozenset[str] = frozenset(),
        rate_limit: float = 0.0,
        rate_burst: float = 0.0,
        body_timeout_seconds: float = 10.0,
    ) -> None:
        self.app = app
        self.keys = keys
        self.authenticated = authenticated
        self.allowed_origins = allowed_origins
        self.limiter = RateLimiter(rate_limit, rate_burst or rate_limit) if rate_limit else None
        self.body_timeout_seconds = body_timeout_seconds

    def rate_key(self, scope: Scope) -> bytes:
        """What a rate limit counts: the request's key, or its client address without one."""
        key = _bearer(scope) or _query_key(scope)
        if key is not None:
            return b"key:" + key
        client = scope.get("client") or ("", 0)
        return b"address:" + str(client[0]).encode()

    def _origin_allowed(self, origin: str | None) -> bool:
        return origin is not None and origin.lower() in self.allowed_origins

    def demo_refusal(self, scope: Scope) -> tuple[int, str] | None:
        """A keyless demo: loopback Host names only; writes from this origin or allowed ones."""
        host = _header(scope, b"host") or ""
        if _host_name(host).lower() not in LOOPBACK_NAMES:
            return 403, (
                f"Host {host!r} refused: a demo without keys answers only to 127.0.0.1, "
                "localhost or [::1] (a page may not reach it through a DNS name of its own)"
            )
        if scope["method"] in {"GET", "HEAD", "OPTIONS"}:
            return None
        origin = _header(scope, b"origin")
        same_site = origin is None or origin.lower() in {
            f"http://{host}".lower(),
            f"https://{host}".lower(),
        }
        if _header(scope, b"sec-fetch-site") == "cross-site" and not self._origin_allowed(origin):
            same_site = False
        if not same_site and not self._origin_allowed(origin):
            return 403, (
                f"a write from another site ({origin}) refused: allow its origin with "
                "SESSIONS_COLLECTOR_ALLOWED_ORIGINS"
            )
        return None

    def refusal(self, scope: Scope) -> tuple[int, str] | None:
        """(status, message) when the request's key may not use this endpoint."""
        if not self.authenticated:
            return self.demo_refusal(scope)
        if scope["path"] in OPEN_PATHS:
            return None
        writes = scope["method"] not in {"GET", "HEAD", "OPTIONS"}
        token = _bearer(scope)
        in_query = _query_key(scope)
        if token is None and in_query is not None:
            if not self.keys.is_publishable(in_query):
                return 401, (
                    "`?key=` takes a publishable key only: a server key goes in the "
                    "`Authorization: Bearer <key>` header, never in a URL"
                )
            token = in_query
        if token is None:
            return 401, "missing API key: send `Authorization: Bearer <key>`"
        if self.keys.is_publishable(token):
            if not writes:
                return 403, "this is a publishable key: it may not read"
            origin = _header(scope, b"origin")
            if not self._origin_allowed(origin):
                return 403, (
                    f"a publishable key writes only from the allowed origins "
                    f"(SESSIONS_COLLECTOR_ALLOWED_ORIGINS); this request's Origin is {origin}"
                    if origin
                    else "a publishable key writes only from a browser page of an allowed "
                    "origin: this request has no Origin"
                )
            return None
        if (self.keys.can_write if writes else self.keys.can_read)(token):
            return None
        if (self.keys.can_read if writes else self.keys.can_write)(token):
            kind = "read" if writes else "write"
            return 403, f"this is a {kind} key: it may not {'write' if writes else 'read'}"
        return 401, "invalid API key"

    async def preflight(self, scope: Scope, send: Send) -> None:
        origin = _header(scope, b"origin")
        if not self._origin_allowed(origin):
            await send_json(
                send,
                403,
                {
                    "detail": f"origin {origin} is not allowed: list it in "
                    "SESSIONS_COLLECTOR_ALLOWED_ORIGINS"
                },
            )
            return
        # `send` adds Access-Control-Allow-Origin (see _with_cors).
        headers = [
            (b"access-control-allow-methods", b"GET, POST"),
            (b"access-control-allow-headers", b"authorization, content-type"),
            (b"access-control-max-age", str(CORS_MAX_AGE_SECONDS).encode()),
            (b"content-length", b"0"),
        ]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin = _header(scope, b"origin")
        if self._origin_allowed(origin):
            assert origin is not None
            send = _with_cors(send, origin)
        if scope["method"] == "OPTIONS" and _header(scope, b"access-control-request-method"):
            if not self.authenticated:
                refused = self.demo_refusal(scope)
                if refused is not None:
                    await send_json(send, refused[0], {"detail": refused[1]})
                    return
            await self.preflight(scope, send)
            return
        refused = self.refusal(scope)
        if refused is not None:
            status, message = refused
            await send_json(send, status, {"detail": message}, **{"www-authenticate": "Bearer"})
            return
        if self.limiter is not None and scope["path"] not in OPEN_PATHS:
            wait = self.limiter.wait_seconds(self.rate_key(scope))
            if wait > 0:
                await send_json(
                    send,
                    429,
                    {"detail": "too many requests for this key: retry after Retry-After seconds"},
                    **{"retry-after": str(max(1, math.ceil(wait)))},
                )
                return
        limit = body_limit(scope["path"])
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await send_json(send, 413, {"detail": f"request body over {limit} bytes"})
            return
        if scope["method"] == "POST":
            # Every body is JSON, whatever the client declared (curl -d says form data,
            # sendBeacon text/plain).
            scope = dict(scope)
            scope["headers"] = [
                (name, value) for name, value in scope.get("headers", []) if name != b"content-type"
            ] + [(b"content-type", b"application/json")]
        # The body is read whole here, before the API parses it: one that is too large
        # (declared or not) is refused with 413, one that trickles in (a slow client holding a
        # connection) with 408 after BODY_TIMEOUT_SECONDS.
        try:
            body = await asyncio.wait_for(
                _read_body(receive, limit), timeout=self.body_timeout_seconds
            )
        except BodyTooLarge:
            await send_json(
                send, 413, {"detail": f"request body over {limit} bytes"}, connection="close"
            )
            return
        except TimeoutError:
            await send_json(
                send,
                408,
                {"detail": f"request body not received in {self.body_timeout_seconds:g} s"},
                connection="close",
            )
            return
        if body is None:  # the client went away
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The request's body (None if the client disconnected); BodyTooLarge over `limit`."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _with_cors(send: Send, origin: str) -> Send:
    """Adds the CORS answer for an allowed origin to the response's headers."""

    async def cors_send(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = dict(message)
            message["headers"] = [
                *message.get("headers", []),
                (b"access-control-allow-origin", origin.encode()),
                (b"vary", b"Origin"),
            ]
        await send(message)

    return cors_send
