"""xAPI statements from a learning record store: the client against our LRS simulator, in process through
httpx's ASGI transport (and on a local port for the command line)."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from typing import Any

import duckdb
import httpx
import pytest

from devtools.simulators.lrs import create_app
from devtools.simulators.unified_lms import Fault, serve_in_thread
from ingestion.errors import IngestError
from ingestion.http_fetch import RetryPolicy
from ingestion.xapi_lrs import LrsAuth, PullWindow, ingest_lrs, statements_url, watermark, xapi_instant
from lms_warehouse.cli import main

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


BASE = "http://lrs.test"


def _transport(app: Any) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=app)


def _no_sleep() -> tuple[RetryPolicy, list[float]]:
    waits: list[float] = []
    return RetryPolicy(sleep=waits.append), waits


def test_follows_more_until_empty_and_lands_every_statement(con):
    app = create_app([statement(n, n) for n in range(1, 6)], token=TOKEN)
    result = ingest_lrs(con, f"{BASE}/xapi/", auth=LrsAuth(token=TOKEN), page_size=2, transport=_transport(app))

    assert (result.records_read, result.accepted, result.rejected) == (5, 5, 0)
    assert result.sources == (f"{BASE}/xapi/statements",)
    queries = [r["query"] for r in app.state.requests]
    assert queries == [{"limit": "2"}, {"cursor": "2", "limit": "2"}, {"cursor": "4", "limit": "2"}]
    assert all(r["headers"]["x-experience-api-version"] == "1.0.3" for r in app.state.requests)
    assert all(r["headers"]["authorization"] == f"Bearer {TOKEN}" for r in app.state.requests)
    rows = con.execute("select record_number, type from landing.lms_events order by record_number").fetchall()
    assert rows == [(n, "VIDEO_PLAYED") for n in range(1, 6)]


SPEC_LRS = PullWindow("stored", timedelta(0))  # an LRS that filters `since` on `stored`, pulled without overlap


def _watermark(con, endpoint: str, organization: str = "default", field: str = "stored") -> str:
    return xapi_instant(watermark(con, statements_url(endpoint), organization, field))


def test_since_is_the_last_stored_so_a_rerun_fetches_only_new_statements(con):
    app = create_app([statement(n, n) for n in range(1, 4)])
    endpoint, transport = f"{BASE}/xapi", _transport(app)
    first = ingest_lrs(con, endpoint, auth=LrsAuth(), transport=transport, window=SPEC_LRS)
    assert _watermark(con, endpoint) == "2024-03-01T10:00:03.250000Z"
    app.state.statements.extend([statement(4, 4), statement(5, 5)])
    second = ingest_lrs(con, endpoint, auth=LrsAuth(), transport=transport, window=SPEC_LRS)
    third = ingest_lrs(con, endpoint, auth=LrsAuth(), transport=transport, window=SPEC_LRS)

    assert [r["query"].get("since") for r in app.state.requests] == [
        None, "2024-03-01T10:00:03.250000Z", "2024-03-01T10:00:05.250000Z"
    ]
    assert [(b.records_read, b.accepted, b.duplicates) for b in (first, second, third)] == [
        (3, 3, 0), (2, 2, 0), (0, 0, 0)
    ]
    assert con.execute("select count(*) from landing.lms_events").fetchone() == (5,)


def test_each_organization_pulls_the_same_lrs_from_its_own_watermark(con):
    app = create_app([statement(n, n) for n in range(1, 4)])
    endpoint, transport = f"{BASE}/xapi", _transport(app)
    first = ingest_lrs(con, endpoint, auth=LrsAuth(), transport=transport, organization_id="a", window=SPEC_LRS)
    other = ingest_lrs(con, endpoint, auth=LrsAuth(), transport=transport, organization_id="b", window=SPEC_LRS)

    # b's first pull starts from the beginning: a's statements advanced only a's watermark
    assert [r["query"].get("since") for r in app.state.requests] == [None, None]
    assert (first.accepted, other.accepted) == (3, 3)
    assert _watermark(con, endpoint, "b") == "2024-03-01T10:00:03.250000Z"


def _dated(n: int, timestamp: datetime, stored: datetime) -> dict[str, Any]:
    return {**statement(n, 0), "timestamp": xapi_instant(timestamp), "stored": xapi_instant(stored)}


def _ralph_day(day: int, first: int) -> list[dict[str, Any]]:
    """Ten statements of one day, timestamped and stored at once (online clients)."""
    at = datetime(2024, 3, day, 9)
    return [_dated(first + i, at + timedelta(minutes=i), at + timedelta(minutes=i, seconds=1)) for i in range(10)]


def _pull_days(con, app, window: PullWindow) -> None:
    """Three daily pulls; before the second and third, an offline client syncs statements timestamped days
    earlier (stored now), as Ralph then sees them: behind a `since` taken from the latest timestamp landed."""
    endpoint, transport = f"{BASE}/xapi", _transport(app)
    ingest_lrs(con, endpoint, auth=LrsAuth(), transport=transport, window=window)
    app.state.statements.extend([
        *_ralph_day(2, 100),
        _dated(900, datetime(2024, 3, 1, 8), datetime(2024, 3, 2, 20)),  # a day late
        _dated(901, datetime(2024, 2, 28, 8), datetime(2024, 3, 2, 20)),  # three days late
    ])
    ingest_lrs(con, endpoint, auth=LrsAuth(), transport=transport, window=window)
    app.state.statements.extend([*_ralph_day(3, 200), _dated(902, datetime(2024, 3, 2, 8), datetime(2024, 3, 3, 22))])
    ingest_lrs(con, endpoint, auth=LrsAuth(), transport=transport, window=window)


def _landed_ids(con) -> list[str]:
    return [i for (i,) in con.execute("select id from landing.lms_events order by id").fetchall()]


def test_an_lrs_filtering_since_on_timestamp_loses_no_late_stored_statement(con):
    app = create_app(_ralph_day(1, 0), since_field="timestamp")  # Ralph's behaviour
    _pull_days(con, app, PullWindow.from_settings())  # the defaults: timestamp, 7 days of overlap

    expected = sorted(s["id"] for s in app.state.statements)
    assert _landed_ids(con) == expected  # every statement landed, none twice (ids are the events' identity)
    batches = con.execute("select records_read, accepted, duplicates, rejected from landing.ingest_batches "
                          "order by started_at").fetchall()
    assert [b[1] for b in batches] == [10, 12, 11] and all(b[0] == b[1] + b[2] + b[3] for b in batches)
    assert sum(b[2] for b in batches) > 0  # the overlap was read again and counted as duplicates
    since = [r["query"].get("since") for r in app.state.requests]
    assert since[0] is None and since[1] == "2024-02-23T09:09:00.000000Z"


def test_without_the_overlap_such_an_lrs_would_lose_them(con):
    # the same pulls as a naive client (watermark, no overlap): the late-stored statements are never seen,
    # which is what the overlap above prevents
    app = create_app(_ralph_day(1, 0), since_field="timestamp")
    _pull_days(con, app, PullWindow("timestamp", timedelta(0)))

    missing = {s["id"] for s in app.state.statements} - set(_landed_ids(con))
    assert missing == {statement(n, 0)["id"] for n in (900, 901, 902)}


def test_a_full_pull_lands_only_what_is_missing(con):
    app = create_app(_ralph_day(1, 0), since_field="timestamp")
    _pull_days(con, app, PullWindow("timestamp", timedelta(0)))
    app.state.statements.append(_dated(903, datetime(2024, 1, 1), datetime(2024, 3, 3, 23)))  # two months late

    result = ingest_lrs(con, f"{BASE}/xapi", auth=LrsAuth(), transport=_transport(app),
                        window=PullWindow.from_settings(full=True))

    assert app.state.requests[-1]["query"].get("since") is None
    assert (result.accepted, result.duplicates) == (4, len(app.state.statements) - 4)
    assert _landed_ids(con) == sorted(s["id"] for s in app.state.statements)


def test_pull_settings_are_checked_with_one_line():
    with pytest.raises(IngestError, match="since field") as error:
        PullWindow.from_settings(since_field="voided")
    assert "\n" not in str(error.value)
    with pytest.raises(IngestError, match="overlap"):
        PullWindow.from_settings(overlap_days=-1)


def test_basic_auth_from_the_environment(con, monkeypatch):
    monkeypatch.setenv("LMS_XAPI_USERNAME", "key")
    monkeypatch.setenv("LMS_XAPI_PASSWORD", "secret")
    app = create_app([statement(1, 1)], basic=("key", "secret"))
    result = ingest_lrs(con, f"{BASE}/xapi/", transport=_transport(app))

    assert result.accepted == 1
    expected = "Basic " + base64.b64encode(b"key:secret").decode()
    assert app.state.requests[0]["headers"]["authorization"] == expected


def test_refused_credentials_fail_with_one_line_naming_the_variables(con):
    app = create_app([statement(1, 1)], token=TOKEN)
    with pytest.raises(IngestError) as error:
        ingest_lrs(con, f"{BASE}/xapi/", auth=LrsAuth(token="wrong"), transport=_transport(app))
    assert "401" in str(error.value) and "LMS_XAPI_TOKEN" in str(error.value) and "\n" not in str(error.value)
    assert con.execute("select count(*) from landing.ingest_batches").fetchone() == (0,)


def test_server_errors_and_rate_limits_are_retried(con):
    app = create_app([statement(1, 1), statement(2, 2)], faults=[500, Fault.rate_limited(7)], default_limit=1)
    policy, waits = _no_sleep()
    result = ingest_lrs(con, f"{BASE}/xapi/", auth=LrsAuth(), transport=_transport(app), policy=policy, page_size=1)

    assert result.accepted == 2
    assert len(waits) == 2 and waits[1] == 7.0
    assert len(app.state.requests) == 4


def test_a_malformed_answer_lands_nothing(con):
    app = create_app([statement(1, 1), statement(2, 2)], faults=[200, Fault.malformed('{"oops": 1}')])
    with pytest.raises(IngestError, match="malformed"):
        ingest_lrs(con, f"{BASE}/xapi/", auth=LrsAuth(), transport=_transport(app), page_size=1)
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
