"""Catalog ingestion from the Unified.to-style API, against the simulator served on a local port."""

from __future__ import annotations

import socket

import httpx
import pytest
from catalog_factory import catalog

from devtools.simulators.unified_lms import Fault, create_app, serve_in_thread
from ingestion.catalog import ingest_catalog_api
from ingestion.errors import IngestError
from ingestion.http_fetch import Fetcher, RetryPolicy, run_sync
from ingestion.unified_api import entity_url, fetch_all

TOKEN = "secret-token"


def _serve(data, **kwargs):
    app = create_app(data, token=TOKEN, **kwargs)
    return app, serve_in_thread(app)


def test_pages_through_every_entity_and_lands_it(con):
    data = catalog(students=7)
    app, server = _serve(data)
    with server as base:
        result = ingest_catalog_api(con, base, "conn-1", token=TOKEN, page_size=3)

    assert {e: r.accepted for e, r in result.per_entity.items()} == {
        "student": 7, "instructor": 1, "course": 1, "class": 2
    }
    assert [r for r in app.state.requests if r[0] == "student"] == [
        ("student", 3, 0), ("student", 3, 3), ("student", 3, 6)
    ]
    assert result.per_entity["student"].sources == (f"{base}/lms/conn-1/student",)
    numbers = con.execute("select record_number from landing.catalog_students order by record_number").fetchall()
    assert [n for (n,) in numbers] == list(range(1, 8))


def test_an_exactly_full_last_page_is_followed_by_an_empty_one(con):
    data = {"student": catalog(students=6)["student"]}
    app, server = _serve(data)
    with server as base:
        result = ingest_catalog_api(con, base, "c", token=TOKEN, page_size=3)

    assert result.per_entity["student"].accepted == 6
    assert [r[2] for r in app.state.requests if r[0] == "student"] == [0, 3, 6]


def test_re_ingesting_from_the_api_adds_nothing(con):
    _, server = _serve(catalog())
    with server as base:
        ingest_catalog_api(con, base, "c", token=TOKEN)
        again = ingest_catalog_api(con, base, "c", token=TOKEN)

    assert sum(r.accepted for r in again.per_entity.values()) == 0
    assert again.per_entity["class"].duplicates == 2


def test_server_errors_are_retried_with_growing_backoff(con):
    sleeps: list[float] = []
    _, server = _serve(catalog(), faults={"student": [500, Fault.server_error(503)]})
    with server as base:
        result = ingest_catalog_api(con, base, "c", token=TOKEN, sleep=sleeps.append)

    assert result.per_entity["student"].accepted == 3
    assert len(sleeps) == 2
    assert 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0  # 0.5 s doubling, plus jitter


def test_a_429_waits_for_retry_after(con):
    sleeps: list[float] = []
    _, server = _serve(catalog(), faults={"course": [Fault.rate_limited(retry_after=7)]})
    with server as base:
        result = ingest_catalog_api(con, base, "c", token=TOKEN, sleep=sleeps.append)

    assert result.per_entity["course"].accepted == 1
    assert sleeps == [7.0]


def test_giving_up_after_four_attempts_names_the_url(con):
    sleeps: list[float] = []
    _, server = _serve(catalog(), faults={"instructor": [500, 500, 500, 500]})
    with server as base, pytest.raises(IngestError) as error:
        ingest_catalog_api(con, base, "c", token=TOKEN, sleep=sleeps.append)

    assert "after 4 attempts" in str(error.value) and "/lms/c/instructor" in str(error.value)
    assert len(sleeps) == 3
    # students were fetched and landed before; nothing of the failed entity was
    counts = con.execute("select (select count(*) from landing.catalog_students), "
                         "(select count(*) from landing.catalog_instructors)").fetchone()
    assert counts == (3, 0)


def test_a_malformed_page_fails_without_landing_half_an_entity(con):
    data = catalog(students=5)
    _, server = _serve(data, faults={"student": [200, Fault.malformed()]})
    with server as base, pytest.raises(IngestError) as error:
        ingest_catalog_api(con, base, "c", token=TOKEN, page_size=2, sleep=lambda _s: None)

    assert "malformed" in str(error.value) and "/lms/c/student?limit=2&offset=2" in str(error.value)
    assert con.execute("select count(*) from landing.catalog_students").fetchone() == (0,)
    assert con.execute("select count(*) from landing.ingest_batches").fetchone() == (0,)


def test_an_array_of_non_objects_is_malformed(con):
    _, server = _serve(catalog(), faults={"student": [Fault.malformed("[1, 2, 3]")]})
    with server as base, pytest.raises(IngestError, match="malformed"):
        ingest_catalog_api(con, base, "c", token=TOKEN, sleep=lambda _s: None)


def test_a_wrong_token_is_refused_without_retrying(con):
    sleeps: list[float] = []
    _, server = _serve(catalog())
    with server as base, pytest.raises(IngestError, match="check the API token"):
        ingest_catalog_api(con, base, "c", token="wrong", sleep=sleeps.append)
    assert sleeps == []


def test_timeouts_are_retried():
    app = create_app(catalog(), faults={"student": [Fault.slow(0.5)]})
    sleeps: list[float] = []
    policy = RetryPolicy(timeout_seconds=0.1, sleep=sleeps.append)

    async def fetch(base: str) -> list[dict]:
        async with httpx.AsyncClient() as client:
            return await fetch_all(Fetcher(client, token=None, policy=policy), entity_url(base, "c", "student"),
                                   page_size=100)

    with serve_in_thread(app) as base:
        objects = run_sync(fetch(base))

    assert len(objects) == 3
    assert len(sleeps) == 1


def test_connection_errors_are_retried_then_reported(con):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once the socket is closed
    sleeps: list[float] = []
    with pytest.raises(IngestError, match="ConnectError"):
        ingest_catalog_api(con, f"http://127.0.0.1:{port}", "c", token=TOKEN, sleep=sleeps.append)
    assert len(sleeps) == 3
