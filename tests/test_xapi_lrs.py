"""xAPI statements from a learning record store: the client against our LRS simulator on a local port."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import duckdb
import httpx
import pytest

from ingestion.errors import IngestError
from ingestion.unified_api import RetryPolicy
from ingestion.xapi_lrs import LrsAuth, ingest_lrs, last_stored, statements_url
from lms_warehouse.cli import main
from simulator.lrs import create_app
from simulator.unified_lms import Fault, serve_in_thread

VIDEO = "https://w3id.org/xapi/video/"
TOKEN = "lrs-token"


def statement(n: int, stored_second: int) -> dict[str, Any]:
    return {
        "id": f"00000000-0000-4000-8000-{n:012d}",
        "actor": {"objectType": "Agent", "account": {"name": f"learner-{n % 3}", "homePage": "http://lms.example"}},
        "verb": {"id": f"{VIDEO}verbs/played"},
        "object": {"id": "uuid://video-1", "definition": {"type": f"{VIDEO}activity-type/video"}},
        "result": {"extensions": {f"{VIDEO}extensions/time": float(n)}},
        "context": {"extensions": {f"{VIDEO}extensions/session-id": "s-1"}},
        "timestamp": f"2024-03-01T10:00:{stored_second:02d}Z",
        "stored": f"2024-03-01T10:00:{stored_second:02d}.250000Z",
    }


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client() as http:
        yield http


def _no_sleep() -> tuple[RetryPolicy, list[float]]:
    waits: list[float] = []
    return RetryPolicy(sleep=waits.append), waits


def test_follows_more_until_empty_and_lands_every_statement(con, client):
    app = create_app([statement(n, n) for n in range(1, 6)], token=TOKEN)
    with serve_in_thread(app) as base:
        endpoint = f"{base}/xapi/"
        result = ingest_lrs(con, endpoint, auth=LrsAuth(token=TOKEN), page_size=2, client=client)

    assert (result.records_read, result.accepted, result.rejected) == (5, 5, 0)
    assert result.sources == (f"{base}/xapi/statements",)
    queries = [r["query"] for r in app.state.requests]
    assert queries == [{"limit": "2"}, {"cursor": "2", "limit": "2"}, {"cursor": "4", "limit": "2"}]
    assert all(r["headers"]["x-experience-api-version"] == "1.0.3" for r in app.state.requests)
    assert all(r["headers"]["authorization"] == f"Bearer {TOKEN}" for r in app.state.requests)
    rows = con.execute("select record_number, type from landing.lms_events order by record_number").fetchall()
    assert rows == [(n, "VIDEO_PLAYED") for n in range(1, 6)]


def test_since_is_the_last_stored_so_a_rerun_fetches_only_new_statements(con, client):
    app = create_app([statement(n, n) for n in range(1, 4)])
    with serve_in_thread(app) as base:
        endpoint = f"{base}/xapi"
        first = ingest_lrs(con, endpoint, auth=LrsAuth(), client=client)
        assert last_stored(con, statements_url(endpoint)) == "2024-03-01T10:00:03.250000Z"
        app.state.statements.extend([statement(4, 4), statement(5, 5)])
        second = ingest_lrs(con, endpoint, auth=LrsAuth(), client=client)
        third = ingest_lrs(con, endpoint, auth=LrsAuth(), client=client)

    assert [r["query"].get("since") for r in app.state.requests] == [
        None, "2024-03-01T10:00:03.250000Z", "2024-03-01T10:00:05.250000Z"
    ]
    assert [(b.records_read, b.accepted, b.duplicates) for b in (first, second, third)] == [
        (3, 3, 0), (2, 2, 0), (0, 0, 0)
    ]
    assert con.execute("select count(*) from landing.lms_events").fetchone() == (5,)


def test_basic_auth_from_the_environment(con, client, monkeypatch):
    monkeypatch.setenv("LMS_XAPI_USERNAME", "key")
    monkeypatch.setenv("LMS_XAPI_PASSWORD", "secret")
    app = create_app([statement(1, 1)], basic=("key", "secret"))
    with serve_in_thread(app) as base:
        result = ingest_lrs(con, f"{base}/xapi/", client=client)

    assert result.accepted == 1
    expected = "Basic " + base64.b64encode(b"key:secret").decode()
    assert app.state.requests[0]["headers"]["authorization"] == expected


def test_refused_credentials_fail_with_one_line_naming_the_variables(con, client):
    app = create_app([statement(1, 1)], token=TOKEN)
    with serve_in_thread(app) as base, pytest.raises(IngestError) as error:
        ingest_lrs(con, f"{base}/xapi/", auth=LrsAuth(token="wrong"), client=client)
    assert "401" in str(error.value) and "LMS_XAPI_TOKEN" in str(error.value) and "\n" not in str(error.value)
    assert con.execute("select count(*) from landing.ingest_batches").fetchone() == (0,)


def test_server_errors_and_rate_limits_are_retried(con, client):
    app = create_app([statement(1, 1), statement(2, 2)], faults=[500, Fault.rate_limited(7)], default_limit=1)
    policy, waits = _no_sleep()
    with serve_in_thread(app) as base:
        result = ingest_lrs(con, f"{base}/xapi/", auth=LrsAuth(), client=client, policy=policy, page_size=1)

    assert result.accepted == 2
    assert len(waits) == 2 and waits[1] == 7.0
    assert len(app.state.requests) == 4


def test_a_malformed_answer_lands_nothing(con, client):
    app = create_app([statement(1, 1), statement(2, 2)], faults=[200, Fault.malformed('{"oops": 1}')])
    with serve_in_thread(app) as base, pytest.raises(IngestError, match="malformed"):
        ingest_lrs(con, f"{base}/xapi/", auth=LrsAuth(), client=client, page_size=1)
    assert con.execute("select count(*) from landing.lms_events").fetchone() == (0,)


def test_the_command_line(warehouse_path, monkeypatch, capsys):
    monkeypatch.setenv("LMS_XAPI_TOKEN", TOKEN)
    app = create_app([statement(n, n) for n in range(1, 4)], token=TOKEN)
    with serve_in_thread(app) as base:
        assert main(["ingest", "xapi", "--endpoint", f"{base}/xapi/", "--organization", "org-x"]) == 0
    assert "read 3 = accepted 3 + duplicates 0 + rejected 0" in capsys.readouterr().out
    con = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        assert con.execute("select distinct organization_id from landing.lms_events").fetchall() == [("org-x",)]
    finally:
        con.close()
