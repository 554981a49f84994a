"""Every bad request is a 4xx, never a 5xx: every endpoint fuzzed from its OpenAPI schema
(hypothesis), the inputs that passed validation and failed later (lone surrogates, NaN and
Infinity, deep nesting, years 1 and 9999, huge numbers), 10 MB bodies, slow clients, and the
per-key rate limit. All against a real collector process on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import duckdb
import httpx
import pytest
from collector_support import API, READ, WRITE, CollectorProcess
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

BODY_TIMEOUT = 2.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CollectorProcess]:
    collector = CollectorProcess(
        tmp_path_factory.mktemp("bad-requests"),
        extra_env={
            "SESSIONS_COLLECTOR_BODY_TIMEOUT_SECONDS": str(BODY_TIMEOUT),
            "SESSIONS_COLLECTOR_ROTATE_SECONDS": "0.5",
        },
    ).start()
    yield collector
    collector.stop()


@pytest.fixture(scope="module")
def api(server: CollectorProcess) -> Iterator[httpx.Client]:
    with server.client() as client:
        yield client


def post_raw(api: httpx.Client, path: str, raw: bytes) -> httpx.Response:
    return api.post(path, content=raw, headers={**WRITE, "content-type": "application/json"})


def a_session(api: httpx.Client, user: str = "u-bad") -> str:
    response = api.post("/start", json={"user_id": user, "device": {}}, headers=WRITE)
    assert response.status_code == 201, response.text
    return response.json()["session_id"]


# --- the inputs that passed validation and then failed -----------------------------------------

DEEP = '{"a":' * 40 + "1" + "}" * 40
BAD_EVENTS = {
    "lone surrogate in details": r'{"event_type":"action","details":{"note":"\ud800"}}',
    "lone surrogate as a key": r'{"event_type":"action","details":{"\udc00":1}}',
    "lone surrogate in action": r'{"event_type":"action","action":"a\udfff"}',
    "NaN in details": '{"event_type":"action","details":{"x":NaN}}',
    "Infinity in details": '{"event_type":"action","details":{"x":Infinity}}',
    "-Infinity in data": '{"action":"a","data":-Infinity}',
    "a number over a double (1e400)": '{"event_type":"action","details":{"x":1e400}}',
    "a 30-digit integer": '{"event_type":"action","details":{"x":' + "9" * 30 + "}}",
    "nesting 40 deep": '{"event_type":"action","details":' + DEEP + "}",
    "nesting 5000 deep": '{"event_type":"action","details":' + "[" * 5000 + "]" * 5000 + "}",
    "year 1 at +01:00": '{"event_type":"action","timestamp":"0001-01-01T00:00:00+01:00"}',
    "year 9999 at -01:00": '{"event_type":"action","timestamp":"9999-12-31T23:59:59-01:00"}',
    "year 1 sent in year 9999": (
        '{"event_type":"action","timestamp":"0001-01-01T00:00:00Z",'
        '"sent_at":"9999-12-31T23:59:59Z"}'
    ),
    "dropped beyond 64 bits": '{"event_type":"action","dropped":' + "9" * 25 + "}",
    "dropped beyond 32 bits": '{"event_type":"action","dropped":99999999999}',
}


@pytest.mark.parametrize("name", list(BAD_EVENTS))
def test_an_input_that_cannot_be_written_is_refused_with_a_4xx(
    server: CollectorProcess, api: httpx.Client, name: str
) -> None:
    session_id = a_session(api)
    response = post_raw(api, f"/{session_id}/event", BAD_EVENTS[name].encode())
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert response.json()["detail"]


def test_bad_starts_and_ends_are_refused_with_a_4xx(api: httpx.Client) -> None:
    bodies = {
        "/start": [
            r'{"user_id":"u\ud800","device":{}}',
            '{"user_id":"u","device":{},"timestamp":"0001-01-01T00:00:00+01:00"}',
            '{"user_id":"u","device":{},"sent_at":"9999-12-31T23:59:59-01:00"}',
            '{"user_id":"u","device":{},"dropped":1e400}',
        ],
        "/end-session-0001/end": [
            '{"reason":"logout","timestamp":"9999-12-31T23:59:59-01:00"}',
            r'{"reason":"logout","page":"\udbff"}',
        ],
        "/beat-session-0001/heartbeat": [r'{"user_id":"\ud800x"}'],
    }
    for path, raws in bodies.items():
        for raw in raws:
            response = post_raw(api, path, raw.encode())
            assert 400 <= response.status_code < 500, (path, raw, response.text)


def test_what_is_accepted_is_read_by_duckdb_and_a_strict_json_parser(
    server: CollectorProcess, api: httpx.Client, tmp_path: Path
) -> None:
    """Big but 64-bit integers, non-BMP text, 32 levels: written, and every published line
    parses with a strict parser (no NaN) and with DuckDB's JSON reader."""
    session_id = a_session(api, "u-accepted")
    nested: Any = 1
    for _ in range(30):
        nested = {"a": nested}
    details = {"big": 2**63 - 1, "small": -(2**63) + 1, "text": "😀 \u2028 \x00", "deep": nested}
    sent = api.post(
        f"/{session_id}/event", json={"event_type": "action", "details": details}, headers=WRITE
    )
    assert sent.status_code == 200, sent.text
    time.sleep(1.2)  # published within ROTATE_SECONDS
    lines = []
    for path in sorted(server.landing_dir.glob("*.jsonl")):
        for raw in path.read_bytes().splitlines():
            lines.append(json.loads(raw, parse_constant=lambda name: pytest.fail(name)))
    mine = [line for line in lines if line["event_id"] == sent.json()["event_ids"][0]]
    assert mine and mine[0]["details"] == details
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(b"".join(p.read_bytes() for p in sorted(server.landing_dir.glob("*.jsonl"))))
    count = duckdb.sql(
        f"select count(*) from read_json('{copy}', format = 'newline_delimited', "
        "records = false, maximum_depth = -1)"
    ).fetchall()
    assert count == [(len(lines),)]


# --- big bodies and slow clients --------------------------------------------------------------


def test_a_10_mb_body_is_refused_with_413_with_and_without_a_length(api: httpx.Client) -> None:
    body = b'{"events":[' + b'{"event_type":"action"},' * (10 * 1024 * 1024 // 24) + b"]}"
    with_length = post_raw(api, "/big-session-0001/events", body)
    assert with_length.status_code == 413, with_length.text

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    without_length = api.post(
        "/big-session-0001/events", content=chunks(), headers={**WRITE, "content-type": "x"}
    )
    assert without_length.status_code == 413, without_length.text


def slow_body(port: int, answers: list[tuple[float, bytes]], stop: threading.Event) -> None:
    """A slowloris: a POST that declares 200 bytes and sends one every 0.3 s."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=BODY_TIMEOUT + 5) as connection:
        head = (
            f"POST {API}/slow-session-0001/event HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {WRITE['Authorization'].split()[1]}\r\n"
            "Content-Length: 200\r\n\r\n"
        )
        connection.sendall(head.encode())
        connection.setblocking(False)
        answer = b""
        while not stop.is_set() and time.monotonic() - started < BODY_TIMEOUT + 5:
            try:
                answer += connection.recv(4096)
                if answer:
                    break
            except BlockingIOError:
                pass
            try:
                connection.send(b" ")
            except OSError:
                break
            time.sleep(0.3)
        answers.append((time.monotonic() - started, answer))


def slow_headers(port: int, stop: threading.Event) -> None:
    """A slowloris that never finishes its headers (a header byte every 0.3 s)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        while not stop.is_set():
            try:
                connection.sendall(b"a")
            except OSError:
                return
            time.sleep(0.3)


def test_slow_clients_are_cut_off_and_others_keep_their_p99(
    server: CollectorProcess, api: httpx.Client
) -> None:
    session_id = a_session(api, "u-normal")
    baseline = []
    for _ in range(50):
        began = time.monotonic()
        assert api.get("/active?limit=1", headers=READ).status_code == 200
        baseline.append(time.monotonic() - began)
    answers: list[tuple[float, bytes]] = []
    stop = threading.Event()
    slow = [
        threading.Thread(target=slow_body, args=(server.port, answers, stop)) for _ in range(30)
    ]
    headers_stop = threading.Event()
    slow_heads = [
        threading.Thread(target=slow_headers, args=(server.port, headers_stop)) for _ in range(20)
    ]
    for thread in slow + slow_heads:
        thread.start()
    latencies = []
    try:
        began_load = time.monotonic()
        while time.monotonic() - began_load < BODY_TIMEOUT + 1:
            began = time.monotonic()
            response = api.post(
                f"/{session_id}/event", json={"event_type": "action"}, headers=WRITE
            )
            assert response.status_code == 200, response.text
            latencies.append(time.monotonic() - began)
    finally:
        for thread in slow:
            thread.join(timeout=BODY_TIMEOUT + 10)
        stop.set()
        headers_stop.set()
        for thread in slow_heads:
            thread.join(timeout=10)
    p99 = statistics.quantiles(latencies, n=100)[98]
    assert p99 < max(0.5, 10 * statistics.median(baseline)), (p99, len(latencies))
    assert len(answers) == 30
    for took, answer in answers:
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert took < BODY_TIMEOUT + 2


# --- the rate limit ---------------------------------------------------------------------------


def test_a_rate_limit_per_key_answers_429_with_retry_after(tmp_path: Path) -> None:
    limited = CollectorProcess(
        tmp_path,
        extra_env={"SESSIONS_COLLECTOR_RATE_LIMIT": "5", "SESSIONS_COLLECTOR_RATE_BURST": "10"},
    ).start()
    try:
        with limited.client() as client:
            statuses = []
            for _ in range(30):
                response = client.get("/active?limit=1", headers=READ)
                statuses.append(response.status_code)
                if response.status_code == 429:
                    assert int(response.headers["retry-after"]) >= 1
                    assert "retry" in response.json()["detail"]
            assert statuses[:10] == [200] * 10 and statuses.count(429) >= 15
            # Another key has its own bucket; the health check is never limited.
            other = {"Authorization": "Bearer test-write-key-2"}
            assert client.post("/rate-session-01/heartbeat", headers=other).status_code == 200
            assert httpx.get(f"{limited.url}/health").status_code == 200
            time.sleep(1.1)
            assert client.get("/active?limit=1", headers=READ).status_code == 200
    finally:
        limited.stop()


def test_no_rate_limit_by_default(api: httpx.Client) -> None:
    statuses = {api.get("/active?limit=1", headers=READ).status_code for _ in range(60)}
    assert statuses == {200}


# --- every endpoint, fuzzed from its OpenAPI schema ------------------------------------------

WILD_TEXT = st.text(
    alphabet=st.one_of(st.characters(), st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)),
    max_size=12,
)
EXTREME_TIMES = st.sampled_from(
    [
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "2024-02-30T00:00:00Z",
        "2024-01-01T00:00:00",
        "now",
    ]
)
# Times a collector accepts (within its tolerance), in any zone.
NEAR_NOW = st.builds(
    lambda seconds, zone: (
        (datetime.now(UTC) - timedelta(seconds=seconds)).astimezone(zone).isoformat()
    ),
    st.integers(min_value=0, max_value=3600),
    st.timezones(),
)
WILD_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    WILD_TEXT,
    EXTREME_TIMES,
)
WILD = st.recursive(
    WILD_SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(WILD_TEXT, children, max_size=3)
    ),
    max_leaves=12,
)


def deep(value: Any, levels: int) -> Any:
    for _ in range(levels):
        value = [value]
    return value


def from_schema(schema: dict[str, Any], components: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values of an OpenAPI (JSON Schema) schema, each one sometimes replaced by a wild one."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return st.deferred(lambda: from_schema(components[name], components))
    if "anyOf" in schema or "oneOf" in schema:
        options = schema.get("anyOf") or schema.get("oneOf")
        shaped = st.one_of([from_schema(option, components) for option in options])
    elif "allOf" in schema:
        shaped = from_schema(schema["allOf"][0], components)
    elif "enum" in schema:
        shaped = st.sampled_from(schema["enum"])
    elif "const" in schema:
        shaped = st.just(schema["const"])
    else:
        kind = schema.get("type")
        if kind == "object" and "properties" in schema:
            properties = {
                name: from_schema(part, components) for name, part in schema["properties"].items()
            }
            required = set(schema.get("required", []))
            shaped = st.fixed_dictionaries(
                {name: value for name, value in properties.items() if name in required},
                optional={
                    name: value for name, value in properties.items() if name not in required
                },
            )
        elif kind == "string" and schema.get("format") == "date-time":
            shaped = st.one_of(
                NEAR_NOW,
                NEAR_NOW,
                NEAR_NOW,
                st.datetimes(timezones=st.timezones()).map(lambda moment: moment.isoformat()),
                EXTREME_TIMES,
            )
        elif kind == "string" and "pattern" in schema:
            shaped = st.from_regex(schema["pattern"], fullmatch=True)
        elif kind == "string":
            shaped = st.text(max_size=20)
        elif kind == "integer":
            shaped = st.integers(min_value=-(2**70), max_value=2**70)
        elif kind == "number":
            shaped = st.floats(allow_nan=True, allow_infinity=True)
        elif kind == "boolean":
            shaped = st.booleans()
        elif kind == "array":
            shaped = st.lists(from_schema(schema.get("items", {}), components), max_size=3)
        else:
            shaped = WILD
    return st.one_of(
        shaped, shaped, shaped, shaped, shaped, shaped, WILD, WILD.map(lambda v: deep(v, 40))
    )


def operations(server: CollectorProcess) -> list[tuple[str, str, dict[str, Any]]]:
    spec = httpx.get(f"{server.url}/openapi.json").json()
    found = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            found.append((method.upper(), path, operation))
    return found


def test_the_openapi_schema_names_every_endpoint(server: CollectorProcess) -> None:
    paths = {path for _, path, _ in operations(server)}
    assert {f"{API}/start", f"{API}/{{session_id}}/events", f"{API}/active"} <= paths


@settings(
    max_examples=int(__import__("os").environ.get("SESSIONS_HYPOTHESIS_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
@given(data=st.data())
def test_every_endpoint_answers_a_fuzzed_request_with_a_4xx_or_a_success(
    server: CollectorProcess, api: httpx.Client, data: st.DataObject
) -> None:
    spec = httpx.get(f"{server.url}/openapi.json").json()
    components = spec.get("components", {}).get("schemas", {})
    method, path, operation = data.draw(st.sampled_from(operations(server)), label="operation")
    url = path
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        if parameter["in"] == "path":
            value = data.draw(
                st.one_of(from_schema(schema, components), WILD_TEXT, st.just("s" * 9)),
                label=parameter["name"],
            )
            text = str(value) or "x"
            url = url.replace(
                "{" + parameter["name"] + "}", quote(text, safe="", errors="surrogatepass")
            )
        elif parameter["in"] == "query" and data.draw(st.booleans()):
            value = data.draw(from_schema(schema, components), label=parameter["name"])
            separator = "&" if "?" in url else "?"
            url += f"{separator}{parameter['name']}={quote(str(value), errors='surrogatepass')}"
    headers = WRITE if method == "POST" else READ
    if method == "POST":
        body_schema = (
            operation.get("requestBody", {})
            .get("content", {})
            .get("application/json", {})
            .get("schema", {})
        )
        body = data.draw(from_schema(body_schema, components), label="body")
        raw = json.dumps(body, allow_nan=True).encode()
        response = httpx.post(
            server.url + url,
            content=raw,
            headers={**headers, "content-type": "application/json"},
            timeout=10,
        )
    else:
        response = httpx.request(method, server.url + url, headers=headers, timeout=10)
    if response.status_code == 503 and any(
        read in url for read in ("/history", "/patterns", "/workflows")
    ):
        return  # no build has exported yet: not the request's fault
    assert response.status_code < 500, (method, url, response.status_code, response.text)
    if method == "POST" and response.status_code < 300:
        # What is accepted can be written as a line that strict parsers read: no NaN or
        # Infinity, no lone surrogate.
        json.dumps(body, allow_nan=False, ensure_ascii=False).encode()
