"""The collector's settings, read from SESSIONS_COLLECTOR_* environment variables."""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

PREFIX = "SESSIONS_COLLECTOR_"


class ConfigError(ValueError):
    """A setting that stops the collector from starting, with the variable to fix."""


@dataclass(frozen=True)
class Keys:
    """API keys, compared in constant time. Never printed: repr shows only their count."""

    write: tuple[bytes, ...] = field(repr=False)
    read: tuple[bytes, ...] = field(repr=False)
    # Publishable write keys: for browsers, public in a page, valid only from allowed origins.
    publishable: tuple[bytes, ...] = field(default=(), repr=False)

    @staticmethod
    def _matches(candidate: bytes, keys: tuple[bytes, ...]) -> bool:
        # Every key is compared (no early exit), each in constant time.
        found = False
        for key in keys:
            found |= hmac.compare_digest(candidate, key)
        return found

    def can_write(self, candidate: bytes) -> bool:
        return self._matches(candidate, self.write)

    def can_read(self, candidate: bytes) -> bool:
        return self._matches(candidate, self.read)

    def is_publishable(self, candidate: bytes) -> bool:
        return self._matches(candidate, self.publishable)

    def __repr__(self) -> str:
        return (
            f"Keys(write={len(self.write)}, read={len(self.read)}, "
            f"publishable={len(self.publishable)})"
        )


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    state_dir: Path
    export_dir: Path
    keys: Keys
    demo: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    future_tolerance_seconds: float = 300.0
    max_age_seconds: float = 7 * 24 * 3600.0
    end_grace_seconds: float = 30.0
    # Browser origins (scheme://host[:port]) whose pages may call the API (CORS) and use a
    # publishable key.
    allowed_origins: frozenset[str] = frozenset()
    inactivity_seconds: float = 1800.0
    rotate_bytes: int = 64 * 1024 * 1024
    rotate_seconds: float = 60.0
    access_log: bool = False
    # Requests per second per key (per client address without a key); 0: no limit.
    rate_limit: float = 0.0
    # Requests a key may send at once above its rate (the bucket's size).
    rate_burst: float = 0.0
    # A request body not received whole within this many seconds is refused (408).
    body_timeout_seconds: float = 10.0

    @property
    def authenticated(self) -> bool:
        """False only in a local demo started without keys: then no endpoint asks for one."""
        return not (self.demo and not self.keys.write and not self.keys.read)


def _split_keys(value: str) -> tuple[bytes, ...]:
    return tuple(key.strip().encode() for key in value.split(",") if key.strip())


def _true(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes"}


def _number(env: Mapping[str, str], name: str, default: float, minimum: float) -> float:
    raw = env.get(PREFIX + name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{PREFIX}{name} must be a number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{PREFIX}{name} must be at least {minimum}, got {raw!r}")
    return value


def _origins(env: Mapping[str, str]) -> frozenset[str]:
    """SESSIONS_COLLECTOR_ALLOWED_ORIGINS: comma-separated `scheme://host[:port]`, as a browser
    sends them in `Origin` (no path, no wildcard)."""
    name = PREFIX + "ALLOWED_ORIGINS"
    origins = set()
    for raw in env.get(name, "").split(","):
        origin = raw.strip().rstrip("/")
        if not origin:
            continue
        parts = urlsplit(origin)
        if (
            parts.scheme not in {"http", "https"}
            or not parts.hostname
            or "*" in origin
            or parts.path
            or parts.query
            or parts.fragment
            or parts.username
        ):
            raise ConfigError(
                f"{name}: {raw.strip()!r} is not an origin: write scheme://host[:port] "
                "(as in https://app.example.com), no path and no wildcard"
            )
        origins.add(origin.lower())
    return frozenset(origins)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from the environment; ConfigError names the variable that is wrong."""
    env = os.environ if env is None else env
    landing_dir = Path(env.get(PREFIX + "LANDING_DIR") or "landing/app")
    keys = Keys(
        write=_split_keys(env.get(PREFIX + "WRITE_KEYS", "")),
        read=_split_keys(env.get(PREFIX + "READ_KEYS", "")),
        publishable=_split_keys(env.get(PREFIX + "PUBLISHABLE_KEYS", "")),
    )
    allowed_origins = _origins(env)
    demo = _true(env.get(PREFIX + "DEMO", ""))
    host = env.get(PREFIX + "HOST") or "127.0.0.1"
    if not demo and not (keys.write and keys.read):
        raise ConfigError(
            f"{PREFIX}WRITE_KEYS and {PREFIX}READ_KEYS must each hold at least one key "
            f"(comma-separated); for a local demo without keys set {PREFIX}DEMO=true"
        )
    if set(keys.write) & set(keys.read):
        raise ConfigError(f"a key is both in {PREFIX}WRITE_KEYS and {PREFIX}READ_KEYS")
    if set(keys.publishable) & (set(keys.write) | set(keys.read)):
        raise ConfigError(
            f"a key of {PREFIX}PUBLISHABLE_KEYS is also a server key ({PREFIX}WRITE_KEYS or "
            f"{PREFIX}READ_KEYS): a publishable key is public, give it a key of its own"
        )
    if keys.publishable and not allowed_origins:
        raise ConfigError(
            f"{PREFIX}PUBLISHABLE_KEYS needs {PREFIX}ALLOWED_ORIGINS: the origins of the pages "
            "that may use them (comma-separated, as https://app.example.com)"
        )
    if demo and not (keys.write or keys.read) and not _is_loopback(host):
        raise ConfigError(f"a demo without keys binds to a loopback address only, not {host!r}")
    return Settings(
        landing_dir=landing_dir,
        state_dir=Path(env.get(PREFIX + "STATE_DIR") or landing_dir.parent / ".collector"),
        export_dir=Path(env.get(PREFIX + "EXPORT_DIR") or "exports"),
        keys=keys,
        demo=demo,
        host=host,
        port=int(_number(env, "PORT", 8000, 1)),
        future_tolerance_seconds=_number(env, "FUTURE_TOLERANCE_SECONDS", 300.0, 0),
        max_age_seconds=_number(env, "MAX_AGE_SECONDS", 7 * 24 * 3600.0, 60),
        end_grace_seconds=_number(env, "END_GRACE_SECONDS", 30.0, 0),
        allowed_origins=allowed_origins,
        inactivity_seconds=_number(env, "INACTIVITY_SECONDS", 1800.0, 1),
        rotate_bytes=int(_number(env, "ROTATE_BYTES", 64 * 1024 * 1024, 1024)),
        rotate_seconds=_number(env, "ROTATE_SECONDS", 60.0, 0.1),
        access_log=_true(env.get(PREFIX + "ACCESS_LOG", "")),
        rate_limit=_number(env, "RATE_LIMIT", 0.0, 0),
        rate_burst=_number(env, "RATE_BURST", 0.0, 0),
        body_timeout_seconds=_number(env, "BODY_TIMEOUT_SECONDS", 10.0, 0.1),
    )
