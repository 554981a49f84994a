"""The ASGI layer in front of every endpoint: API keys and body sizes, checked before a body is
parsed (so an unauthenticated or oversized request is refused without reading it whole)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

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


class Gate:
    def __init__(self, app: ASGIApp, keys: Keys, authenticated: bool = True) -> None:
        self.app = app
        self.keys = keys
        self.authenticated = authenticated

    def refusal(self, scope: Scope) -> tuple[int, str] | None:
        """(status, message) when the request's key may not use this endpoint."""
        if not self.authenticated or scope["path"] in OPEN_PATHS:
            return None
        token = _bearer(scope)
        if token is None:
            return 401, "missing API key: send `Authorization: Bearer <key>`"
        writes = scope["method"] not in {"GET", "HEAD", "OPTIONS"}
        if (self.keys.can_write if writes else self.keys.can_read)(token):
            return None
        if (self.keys.can_read if writes else self.keys.can_write)(token):
            kind = "read" if writes else "write"
            return 403, f"this is a {kind} key: it may not {'write' if writes else 'read'}"
        return 401, "invalid API key"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = self.refusal(scope)
        if refused is not None:
            status, message = refused
            await send_json(send, status, {"detail": message}, **{"www-authenticate": "Bearer"})
            return
        limit = body_limit(scope["path"])
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await send_json(send, 413, {"detail": f"request body over {limit} bytes"})
            return
        if scope["method"] == "POST":
            # Every body is JSON, whatever the client declared (curl -d says form data).
            scope = dict(scope)
            scope["headers"] = [
                (name, value) for name, value in scope.get("headers", []) if name != b"content-type"
            ] + [(b"content-type", b"application/json")]
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await send_json(send, 413, {"detail": f"request body over {limit} bytes"})
