"""MOOC export, Open edX and H5P ingestion against the simulator (httpx ASGI transport, in process)."""

from __future__ import annotations

import copy
import json
from typing import Any

import duckdb
import httpx
import pytest

from devtools.simulators.mooc_api import Fault, MoocApiOptions, completion_percent, create_app, sample_dataset
from ingestion.h5p import ingest_h5p
from ingestion.http_fetch import RetryPolicy
from ingestion.mooc_export import ingest_mooc_export
from ingestion.mooc_landing import FetchRunResult
from ingestion.openedx_api import ingest_openedx, openedx_user_id
from ingestion.xapi import salted_sha256

BASE = "http://mooc.test"
SALT = "test-salt"
DATASET = sample_dataset()
COURSE_A, COURSE_B = list(DATASET["courses"])
SHAPE_ENTITIES = {"enrollments": "enrollment", "grades": "grade", "progress": "progress",
                  "discussions": "discussion"}


def _policy(sleeps: list[float], **kwargs: Any) -> RetryPolicy:
    return RetryPolicy(sleep=sleeps.append, **kwargs)


def _app(dataset: dict | None = None, *, faults: tuple[Fault, ...] = (), **options: Any):
    return create_app(dataset or DATASET, faults=faults, options=MoocApiOptions(**{"page_size": 2, **options}))


def _export(con, app, courses=(COURSE_A, COURSE_B), sleeps=None, **kwargs) -> FetchRunResult:
    return ingest_mooc_export(con, BASE, list(courses), transport=httpx.ASGITransport(app),
                              policy=_policy(sleeps if sleeps is not None else []), **kwargs)


def _openedx(con, app, courses=(COURSE_A, COURSE_B), sleeps=None) -> FetchRunResult:
    return ingest_openedx(con, BASE, list(courses), transport=httpx.ASGITransport(app), pseudonym_salt=SALT,
                          policy=_policy(sleeps if sleeps is not None else []))


def _landed(con: duckdb.DuckDBPyConnection, source: str, course: str | None = None) -> dict[tuple, dict]:
    """(entity, course, user) -> latest record_json, checking that no key was landed twice unchanged."""
    rows = con.execute(
        "select entity, course_id, user_id, record_json, content_hash from landing.mooc_records "
        "where source = ? and (? is null or course_id = ?) order by fetched_at, batch_id",
        [source, course, course],
    ).fetchall()
    latest: dict[tuple, dict] = {}
    hashes: dict[tuple, list[str]] = {}
    for entity, course_id, user_id, record_json, content_hash in rows:
        key = (entity, course_id, user_id)
        assert hashes.get(key, [None])[-1] != content_hash, f"{key} landed twice with the same content"
        hashes.setdefault(key, []).append(content_hash)
        latest[key] = json.loads(record_json)
    return latest


def _expected_export(dataset: dict, courses=(COURSE_A, COURSE_B)) -> dict[tuple, dict]:
    expected = {}
    for course in courses:
        for name, entity in SHAPE_ENTITIES.items():
            for row in dataset["courses"][course][name]:
                record = dict(row)
                if entity == "discussion":
                    record["total_interactions"] = row["threads_count"] + row["comments_count"]
                expected[(entity, course, str(row["user_id"]))] = record
    return expected


def _log(con, where: str = "true") -> list[tuple]:
    return con.execute(
        f"select course_id, user_id, url, status_code, ok, reason, records from landing.http_fetch_log where {where} "
        "order by fetched_at, url"
    ).fetchall()


# --- export API -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("complete_data", [True, False], ids=["complete-student-data", "four-endpoints"])
def test_export_lands_exactly_what_the_simulator_serves(con, complete_data):
    app = _app(complete_data=complete_data)
    result = _export(con, app)

    assert _landed(con, "mooc_export") == _expected_export(DATASET)
    assert result.failed_requests == 0 and result.failed_courses == ()
    assert result.counts.new == len(_expected_export(DATASET)) and result.counts.unchanged == 0
    assert result.users == 10
    # the log accounts for every record served: records on ok pages = records landed
    served = con.execute("select sum(records) from landing.http_fetch_log where ok").fetchone()[0]
    assert served == (10 if complete_data else 40)
    assert con.execute("select count(distinct batch_id) from landing.mooc_records").fetchone() == (1,)


def test_complete_student_data_404_is_logged_as_not_offered_then_the_four_endpoints_are_read(con):
    app = _app(complete_data=False)
    result = _export(con, app, courses=(COURSE_A,))

    complete = _log(con, "url like '%complete-student-data%'")
    assert [(r[3], r[4], r[5]) for r in complete] == [(404, True, "not offered (404)")]
    routes = {r["route"] for r in app.state.requests}
    assert routes == {"export.complete", "export.enrollments", "export.grades", "export.progress",
                      "export.discussions"}
    assert result.failed_requests == 0


def test_a_complete_student_data_row_without_a_grade_lands_the_other_blocks(con):
    dataset = copy.deepcopy(DATASET)
    dataset["courses"][COURSE_A]["grades"] = dataset["courses"][COURSE_A]["grades"][1:]
    _export(con, _app(dataset), courses=(COURSE_A,))

    landed = _landed(con, "mooc_export")
    assert len([k for k in landed if k[0] == "grade"]) == 4
    assert len([k for k in landed if k[0] == "enrollment"]) == 5


def test_server_errors_are_retried_with_growing_backoff(con):
    sleeps: list[float] = []
    app = _app(faults=(Fault.server_error("export.complete", times=2, course_id=COURSE_A),))
    result = _export(con, app, courses=(COURSE_A,), sleeps=sleeps)

    assert result.failed_requests == 0
    assert len(sleeps) == 2 and 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0
    assert len(_landed(con, "mooc_export")) == 20


@pytest.mark.parametrize(("retry_after", "waited"), [
    ("7", 7.0),
    ("999", 120.0),  # capped
    ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # an HTTP date already past
])
def test_a_429_waits_for_retry_after(con, retry_after, waited):
    sleeps: list[float] = []
    app = _app(faults=(Fault.rate_limited("export.complete", retry_after=retry_after, page=2),))
    result = _export(con, app, courses=(COURSE_A,), sleeps=sleeps)

    assert sleeps == [waited]
    assert result.failed_requests == 0 and len(_landed(con, "mooc_export")) == 20


def test_a_timeout_is_retried(con):
    sleeps: list[float] = []
    app = _app(faults=(Fault.slow("export.complete", 5.0),))
    result = ingest_mooc_export(con, BASE, [COURSE_A], transport=httpx.ASGITransport(app),
                                policy=RetryPolicy(timeout_seconds=0.05, sleep=sleeps.append))

    assert len(sleeps) == 1 and result.failed_requests == 0
    assert len(_landed(con, "mooc_export")) == 20


def test_a_course_that_keeps_failing_does_not_stop_the_other(con):
    sleeps: list[float] = []
    app = _app(faults=(Fault.server_error("export.complete", 503, times=None, course_id=COURSE_A),))
    result = _export(con, app, sleeps=sleeps)

    assert result.failed_courses == (COURSE_A,) and result.failed_requests == 1
    assert len(sleeps) == 3  # four attempts
    assert {k[1] for k in _landed(con, "mooc_export")} == {COURSE_B}
    [(course, user, url, status, ok, reason, records)] = _log(con, "not ok")
    assert (course, user, status, ok, records) == (COURSE_A, None, 503, False, 0)
    assert "complete-student-data" in url and reason == "HTTP 503 after 4 attempts"


def test_a_malformed_body_fails_the_course_without_landing_half_of_it(con):
    sleeps: list[float] = []
    app = _app(complete_data=False, faults=(Fault.malformed("export.grades", course_id=COURSE_A),))
    result = _export(con, app, sleeps=sleeps)

    assert result.failed_courses == (COURSE_A,)
    assert sleeps == []  # a malformed body is not retried within the run
    assert {k[1] for k in _landed(con, "mooc_export")} == {COURSE_B}  # not even COURSE_A's enrollments
    [failure] = _log(con, "not ok")
    assert failure[3] == 200 and failure[5].startswith("malformed body: not JSON")


@pytest.mark.parametrize("body", ['{"results": "nope"}', '{"count": 1}', "[1, 2]", '{"results": [], "next": 5}'])
def test_a_body_of_the_wrong_shape_is_a_failed_fetch(con, body):
    app = _app(faults=(Fault.malformed("export.complete", body=body),))
    result = _export(con, app, courses=(COURSE_A,))

    assert result.failed_courses == (COURSE_A,)
    assert result.failures[0].outcome.reason.startswith("malformed body")
    assert _landed(con, "mooc_export") == {}


def test_a_truncated_page_is_detected_by_its_declared_count(con):
    app = _app(faults=(Fault.truncated("export.complete", page=2, course_id=COURSE_A),))
    result = _export(con, app)

    assert result.failed_courses == (COURSE_A,)
    assert result.failures[0].outcome.reason == "truncated response: the server declared 5 records, 4 arrived"
    assert {k[1] for k in _landed(con, "mooc_export")} == {COURSE_B}


def test_a_truncated_page_without_a_count_is_not_json(con):
    app = _app(faults=(Fault.truncated("openedx.enrollments"),))
    result = _openedx(con, app, courses=(COURSE_A,))

    assert result.failed_courses == (COURSE_A,)
    assert "not JSON" in result.failures[0].outcome.reason


@pytest.mark.parametrize("relative", [False, True], ids=["absolute-next", "relative-next"])
def test_a_next_loop_is_stopped(con, relative):
    app = _app(relative_next=relative, faults=(Fault.next_loop("export.complete", course_id=COURSE_A),))
    result = _export(con, app)

    assert result.failed_courses == (COURSE_A,)
    assert result.failures[0].outcome.reason == "pagination loop: this page was already fetched"
    assert len([r for r in app.state.requests if r["course_id"] == COURSE_A]) == 1
    assert {k[1] for k in _landed(con, "mooc_export")} == {COURSE_B}


def test_a_flat_page_number_that_does_not_advance_is_a_loop(con):
    app = _app(styles={"openedx.grades": "flat"}, faults=(Fault.next_loop("openedx.grades"),))
    result = _openedx(con, app, courses=(COURSE_A,))

    assert result.failures[0].outcome.reason == "pagination loop: this page was already fetched"
    assert [r["page"] for r in app.state.requests if r["route"] == "openedx.grades"] == [1, 2]


def test_a_wrong_token_is_refused_without_retrying(con, monkeypatch):
    monkeypatch.setenv("LMS_MOOC_TOKEN", "wrong")
    sleeps: list[float] = []
    app = create_app(DATASET, tokens={"mooc": "right"})
    result = _export(con, app, courses=(COURSE_A,), sleeps=sleeps)

    assert sleeps == [] and result.failures[0].outcome.status_code == 401
    monkeypatch.setenv("LMS_MOOC_TOKEN", "right")
    assert _export(con, app, courses=(COURSE_A,)).failed_requests == 0


# --- history ------------------------------------------------------------------------------------------------


def test_re_fetching_identical_content_adds_no_version(con):
    app = _app()
    first = _export(con, app)
    again = _export(con, app)

    assert again.counts.new == 0 and again.counts.unchanged == first.counts.new == 40
    assert con.execute("select count(*) from landing.mooc_records").fetchone() == (40,)


def test_a_changed_record_adds_exactly_one_version_and_becomes_the_latest(con):
    _export(con, _app(), clock=lambda: _at("2024-03-01"))
    changed = copy.deepcopy(DATASET)
    changed["courses"][COURSE_B]["grades"][2]["percent"] = 0.99
    result = _export(con, _app(changed), clock=lambda: _at("2024-03-02"))

    assert result.counts.new == 1 and result.counts.unchanged == 39
    user = str(changed["courses"][COURSE_B]["grades"][2]["user_id"])
    versions = con.execute(
        "select fetched_at, record_json::json->>'percent' from landing.mooc_records "
        "where entity = 'grade' and course_id = ? and user_id = ? order by fetched_at", [COURSE_B, user]
    ).fetchall()
    assert [(str(t), p) for t, p in versions] == [("2024-03-01 00:00:00", "0.7"), ("2024-03-02 00:00:00", "0.99")]
    assert _landed(con, "mooc_export") == _expected_export(changed)


def test_organizations_keep_separate_histories(con):
    app = _app()
    _export(con, app, organization_id="org-a")
    other = _export(con, app, organization_id="org-b")

    assert other.counts.new == 40
    assert con.execute("select count(distinct organization_id) from landing.http_fetch_log").fetchone() == (2,)


@pytest.mark.parametrize("complete_data", [True, False], ids=["complete-student-data", "four-endpoints"])
def test_a_record_naming_its_own_organization_lands_there(con, complete_data):
    dataset = copy.deepcopy(DATASET)
    dataset["courses"][COURSE_A]["enrollments"][0]["organization_id"] = "org-x"
    app = _app(dataset, complete_data=complete_data)
    _export(con, app, courses=(COURSE_A,), organization_id="org-cli")
    again = _export(con, app, courses=(COURSE_A,), organization_id="org-cli")

    rows = con.execute("select organization_id, entity, count(*) from landing.mooc_records group by all "
                       "order by all").fetchall()
    assert rows == [("org-cli", "discussion", 5), ("org-cli", "enrollment", 4), ("org-cli", "grade", 5),
                    ("org-cli", "progress", 5), ("org-x", "enrollment", 1)]
    assert again.counts.new == 0


def _at(day: str):
    from datetime import datetime

    return datetime.fromisoformat(day)


# --- Open edX APIs ------------------------------------------------------------------------------------------


def _expected_openedx(dataset: dict, course: str, *, completion: bool = True, discussion: bool = True) -> dict:
    expected = {}
    enrollments = dataset["courses"][course]["enrollments"]
    uid = {e["user_id"]: openedx_user_id(e["username"], SALT) for e in enrollments}
    for e in enrollments:
        expected[("enrollment", course, uid[e["user_id"]])] = {
            "user_id": uid[e["user_id"]], "username": e["username"], "email": None, "full_name": None,
            "enrollment_id": None, "mode": e["mode"], "is_active": e["is_active"], "created": e["created"],
            "attributes": None}
    for g in dataset["courses"][course]["grades"]:
        expected[("grade", course, uid[g["user_id"]])] = {**g, "user_id": uid[g["user_id"]]}
    for p in dataset["courses"][course]["progress"] if completion else []:
        rate = completion_percent(p)
        expected[("progress", course, uid[p["user_id"]])] = {
            "user_id": uid[p["user_id"]], "total_blocks": p["total_blocks"], "completed_blocks": p["completed_blocks"],
            "progress_percent": round(rate * 100, 6), "completion_rate": rate, "current_chapter": None,
            "current_section": None, "current_unit": None, "last_activity": None}
    for d in dataset["courses"][course]["discussions"] if discussion else []:
        if d["threads_count"]:
            expected[("discussion", course, uid[d["user_id"]])] = {
                "user_id": uid[d["user_id"]], "threads_count": d["threads_count"], "comments_count": None,
                "questions_count": d["questions_count"], "total_upvotes": d["total_upvotes"],
                "total_interactions": None}
    return expected


@pytest.mark.parametrize("style", ["cursor", "namespaced", "flat", "array"])
def test_openedx_grades_in_every_pagination_style(con, style):
    app = _app(styles={"openedx.grades": style}, relative_next=True)
    result = _openedx(con, app, courses=(COURSE_A,))

    assert result.failed_requests == 0
    assert _landed(con, "openedx") == _expected_openedx(DATASET, COURSE_A)
    grade_pages = [r["page"] for r in app.state.requests if r["route"] == "openedx.grades"]
    assert grade_pages == ([1] if style == "array" else [1, 2, 3])


def test_openedx_user_ids_are_stable_salted_and_keep_the_username_only_in_the_record(con):
    _openedx(con, _app(), courses=(COURSE_A,))
    username = DATASET["courses"][COURSE_A]["enrollments"][0]["username"]

    expected_id = "oex-" + salted_sha256(username, SALT)[:16]
    ids = {row[0] for row in con.execute("select distinct user_id from landing.mooc_records").fetchall()}
    assert expected_id in ids and not any(username in i for i in ids)
    assert openedx_user_id(username, "other-salt") != expected_id
    log_text = json.dumps(_log(con))
    assert username not in log_text


def test_openedx_optional_endpoints_answering_404_are_not_failures(con):
    app = _app(openedx_completion=False, openedx_discussion=False)
    result = _openedx(con, app)

    assert result.failed_requests == 0 and result.failed_courses == ()
    assert _landed(con, "openedx", COURSE_A) == _expected_openedx(DATASET, COURSE_A, completion=False,
                                                                  discussion=False)
    not_offered = _log(con, "reason = 'not offered (404)'")
    assert len(not_offered) == 4 and all(r[3] == 404 and r[4] for r in not_offered)


def test_a_404_on_a_required_openedx_endpoint_fails_the_course(con):
    app = _app(faults=(Fault.not_found("openedx.grades", course_id=COURSE_A),))
    result = _openedx(con, app)

    assert result.failed_courses == (COURSE_A,)
    assert {k[1] for k in _landed(con, "openedx")} == {COURSE_B}


def test_openedx_lands_what_it_serves_for_both_courses(con):
    _openedx(con, _app(styles={"openedx.grades": "array"}))
    expected = {**_expected_openedx(DATASET, COURSE_A), **_expected_openedx(DATASET, COURSE_B)}
    assert _landed(con, "openedx") == expected


# --- H5P ----------------------------------------------------------------------------------------------------


def _h5p(con, app, courses=(COURSE_A, COURSE_B), **kwargs) -> FetchRunResult:
    return ingest_h5p(con, BASE, list(courses), transport=httpx.ASGITransport(app), policy=_policy([]), **kwargs)


def test_h5p_lands_every_enrolled_users_three_answers(con):
    app = _app()
    _export(con, app)
    result = _h5p(con, app)

    expected = {}
    for course, users in DATASET["h5p"].items():
        for user, data in users.items():
            expected[("h5p_scores", course, user)] = {"scores": data["scores"]}
            expected[("h5p_video_progress", course, user)] = {"videos": data["videos"]}
            expected[("h5p_dashboard", course, user)] = data["dashboard"]
    assert _landed(con, "h5p") == expected
    assert result.requests == 30 and result.failed_requests == 0
    assert _h5p(con, app).counts.new == 0


def test_h5p_concurrency_is_bounded(con):
    app = _app(latency_seconds=0.01)
    _export(con, app)
    _h5p(con, app, concurrency=3)

    assert app.state.max_in_flight == 3


def test_a_failing_h5p_user_does_not_stop_the_others(con):
    app = _app(faults=(Fault.server_error("h5p.videos", 500, times=None, user_id="1002", course_id=COURSE_A),))
    _export(con, app)
    result = _h5p(con, app)

    assert result.failed_users == 1 and result.failed_requests == 1 and result.failed_courses == ()
    landed = _landed(con, "h5p")
    assert not [k for k in landed if k[1:] == (COURSE_A, "1002")]  # none of the user's three records
    assert len(landed) == 27
    [failure] = _log(con, "not ok")
    assert failure[:2] == (COURSE_A, "1002") and failure[3] == 500


def test_h5p_without_landed_enrollments_fetches_nothing(con):
    lines: list[str] = []
    result = _h5p(con, _app(), courses=(COURSE_A,), progress=lines.append)

    assert result.requests == 0 and result.failed_requests == 0
    assert "run `ingest mooc --api export` first" in lines[0]
