"""Property test of the sessionization core: the SQL that dbt compiles for int_event_sessions,
run in an in-memory DuckDB on hypothesis-drawn events, against the plain-Python reference."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from conftest import DbtProject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import split_sessions

START = datetime(2024, 1, 1, tzinfo=UTC)
EXAMPLES = int(os.environ.get("SESSIONS_HYPOTHESIS_EXAMPLES", "150"))


# The stitched event stream (int_events_stitched): the canonical_event_columns macro's columns,
# the category columns int_events_unioned adds and the identity before stitching. Every one has
# a default but the keys.
EVENTS_INPUT_DDL = """
create table events_input (
    source varchar,
    event_id varchar,
    user_id varchar,
    anonymous_id varchar,
    event_time timestamptz,
    event_name varchar default 'send_message',
    event_type varchar default 'send_message',
    page varchar,
    referrer varchar,
    campaign varchar,
    channel_id varchar default '1',
    item_id varchar,
    device_type varchar,
    browser varchar,
    os varchar,
    screen_size varchar,
    workflow_id varchar,
    session_end_reason varchar,
    client_session_id varchar,
    properties json,
    file_name varchar default 'chat.jsonl',
    line_number bigint default 1,
    _loaded_at timestamptz default '2024-01-01 00:00:00+00',
    event_category varchar default 'message',
    is_message boolean default true,
    event_sort_rank integer default 1,
    source_user_id varchar,
    client_session_key varchar default ''
)
"""


@pytest.fixture(scope="module")
def sessionize_sql(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The compiled model (full-refresh form), reading its input from the local table
    `events_input`; the inputs of an incremental run are empty."""
    project = DbtProject(tmp_path_factory.mktemp("compile"))
    project.dbt_ok("compile", "--select", "int_event_sessions", "--target", "lint")
    compiled = next(Path(project.workdir / "target").rglob("int_event_sessions.sql"))
    sql = compiled.read_text()
    replacements = {
        '"memory"."intermediate"."int_events_stitched"': "events_input",
        '"memory"."intermediate"."int_session_recompute_ranges"': "(select 1 where false)",
        '"memory"."intermediate"."int_events_changed"': "(select 1 where false)",
    }
    for upstream, local in replacements.items():
        assert upstream in sql, f"{upstream} not in the compiled model"
        sql = sql.replace(upstream, local)
    return sql


gap_microseconds = st.one_of(
    st.sampled_from([0, 1, 29_999_999, 30_000_000, 30_000_001, 31_000_000]),
    st.integers(min_value=0, max_value=120_000_000),
)
# A user's events come in up to three client sessions (browser tabs; '' is the events without a
# client session id), each starting at its own offset, so their events interleave in time.
client_streams = st.lists(
    st.tuples(
        st.sampled_from(["", "t1", "t2"]),
        st.integers(min_value=0, max_value=60_000_000),
        st.lists(gap_microseconds, min_size=1, max_size=25),
    ),
    min_size=1,
    max_size=3,
    unique_by=lambda stream: stream[0],
)
user_events = st.tuples(st.sampled_from(["7", "007", "a", "b"]), client_streams)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(users=st.lists(user_events, min_size=1, max_size=4, unique_by=lambda u: u[0]))
def test_session_numbers_match_reference(
    sessionize_sql: str, users: list[tuple[str, list[tuple[str, int, list[int]]]]]
) -> None:
    rows = []
    expected: dict[str, int] = {}
    for user_id, streams in users:
        # Each client session of a user is sessionized on its own (the reference splits each
        # stream by the gap), however its events interleave with the user's other streams.
        for client_session_key, offset, gaps in streams:
            moment = START + timedelta(microseconds=offset)
            times = []
            for index, gap in enumerate(gaps):
                moment += timedelta(microseconds=gap)
                times.append(moment)
                event_id = f"{user_id}-{client_session_key or 'none'}-{index:03d}"
                rows.append(("chat", event_id, user_id, moment, client_session_key))
            for number, indexes in enumerate(split_sessions(times, 30), start=1):
                for index in indexes:
                    expected[f"{user_id}-{client_session_key or 'none'}-{index:03d}"] = number

    with duckdb.connect() as connection:
        connection.execute("set TimeZone = 'UTC'")
        connection.execute(EVENTS_INPUT_DDL)
        # Insert in reverse order: the result must not depend on input order.
        connection.executemany(
            "insert into events_input (source, event_id, user_id, event_time, client_session_key)"
            " values (?, ?, ?, ?, ?)",
            list(reversed(rows)),
        )
        result = connection.execute(
            f"select event_id, session_number, session_id from ({sessionize_sql})"
        ).fetchall()

    assert {event_id: number for event_id, number, _ in result} == expected
    # One id per (user, client session, session number), never shared across sessions.
    ids = {(*event_id.split("-")[:2], number): sid for event_id, number, sid in result}
    assert len(set(ids.values())) == len(ids)
