"""xAPI statement -> canonical event: the 22,000 real FUN-MOOC video statements, then one case per rule."""

from __future__ import annotations

import copy
import gzip
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from ingestion.xapi import convert_statement, email_pseudonym, is_xapi_statement, redact_emails

SALT = "test-salt"
VIDEO = "https://w3id.org/xapi/video/"
ADL = "http://adlnet.gov/expapi/verbs/"
EXPECTED_TYPE_BY_VERB = {
    f"{VIDEO}verbs/played": "VIDEO_PLAYED",
    f"{VIDEO}verbs/paused": "VIDEO_PAUSED",
    f"{ADL}interacted": "VIDEO_INTERACTED",
    f"{VIDEO}verbs/seeked": "VIDEO_SEEKED",
    f"{ADL}initialized": "VIDEO_INITIALIZED",
    f"{ADL}completed": "VIDEO_ENDED",
    f"{ADL}terminated": "VIDEO_TERMINATED",
    "http://id.tincanapi.com/verb/downloaded": "XAPI_DOWNLOADED",
}
FILE_VERB_COUNTS = {
    "played": 6603,
    "paused": 6480,
    "interacted": 3546,
    "seeked": 2995,
    "initialized": 1348,
    "completed": 636,
    "terminated": 338,
    "downloaded": 54,
}


@pytest.fixture(scope="module")
def statements(shared_dir: Path) -> list[dict[str, Any]]:
    path = shared_dir / "data" / "xapi" / "fun_mooc_video_statements.ndjson.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="module")
def converted(statements: list[dict[str, Any]]) -> list[tuple[dict[str, Any] | None, str | None]]:
    return [convert_statement(statement, pseudonym_salt=SALT) for statement in statements]


def _video_statement(**overrides: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "id": "stmt-1",
        "actor": {"objectType": "Agent", "account": {"name": "learner-1", "homePage": "http://lms.example"}},
        "verb": {"id": f"{VIDEO}verbs/played"},
        "object": {"id": "uuid://video-1", "definition": {"type": f"{VIDEO}activity-type/video"}},
        "result": {"extensions": {f"{VIDEO}extensions/time": 12.5}},
        "context": {
            "extensions": {f"{VIDEO}extensions/session-id": "sess-1", f"{VIDEO}extensions/length": 300},
            "contextActivities": {
                "parent": [
                    {"id": "course-v1:X+Y+Z", "definition": {"type": "http://adlnet.gov/expapi/activities/course"}}
                ]
            },
        },
        "timestamp": "2021-11-29T23:09:00.867219+00:00",
    }
    statement.update(overrides)
    return statement


def _quiz_statement(score: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    statement = _video_statement(
        verb={"id": f"{ADL}answered"},
        object={
            "id": "http://h5p.example/quiz-7",
            "definition": {"type": "http://adlnet.gov/expapi/activities/cmi.interaction"},
        },
        result={"score": score},
        context={},
    )
    statement.update(overrides)
    return statement


def _ok(statement: dict[str, Any]) -> dict[str, Any]:
    event, reason = convert_statement(statement, pseudonym_salt=SALT)
    assert reason is None and event is not None
    return event


def _reason(statement: dict[str, Any]) -> str:
    event, reason = convert_statement(statement, pseudonym_salt=SALT)
    assert event is None and reason
    return reason


# --- the real file ---------------------------------------------------------------------------------


def test_real_file_has_the_documented_verbs(statements: list[dict[str, Any]]) -> None:
    verbs = Counter(statement["verb"]["id"].rsplit("/", 1)[-1] for statement in statements)
    assert len(statements) == 22000
    assert dict(verbs) == FILE_VERB_COUNTS


def test_every_real_statement_converts_or_has_a_reason(
    statements: list[dict[str, Any]], converted: list[tuple[dict[str, Any] | None, str | None]]
) -> None:
    assert all(is_xapi_statement(statement) for statement in statements)
    assert all((event is None) != (reason is None) for event, reason in converted)
    assert all(reason is None or reason.strip() for _, reason in converted)


def test_real_types_match_the_verbs_one_for_one(
    statements: list[dict[str, Any]], converted: list[tuple[dict[str, Any] | None, str | None]]
) -> None:
    for statement, (event, reason) in zip(statements, converted, strict=True):
        assert reason is None, (statement["id"], reason)
        assert event is not None and event["type"] == EXPECTED_TYPE_BY_VERB[statement["verb"]["id"]]
    types = Counter(event["type"] for event, _ in converted if event)
    assert types == Counter(
        {EXPECTED_TYPE_BY_VERB[v]: n for v, n in Counter(s["verb"]["id"] for s in statements).items()}
    )
    assert types["XAPI_DOWNLOADED"] == 54


def test_real_events_are_canonical(
    statements: list[dict[str, Any]], converted: list[tuple[dict[str, Any] | None, str | None]]
) -> None:
    for statement, (event, _) in zip(statements, converted, strict=True):
        assert event is not None
        assert event["id"] == statement["id"]
        assert event["student_id"] == statement["actor"]["account"]["name"]
        assert event["course_id"] == statement["context"]["contextActivities"]["parent"][0]["id"]
        assert event["class_id"] == statement["object"]["id"]
        assert event["occurred_at"].endswith("Z") and event["version"] == 1
        assert event["context"]["home_page"] == "http://fun-mooc.fr"
        if event["type"].startswith("VIDEO_"):
            assert event["payload"]["session_id"] == statement["context"]["extensions"][f"{VIDEO}extensions/session-id"]


def test_real_measures_are_numbers(converted: list[tuple[dict[str, Any] | None, str | None]]) -> None:
    seen: Counter[str] = Counter()
    for event, _ in converted:
        assert event is not None
        for key in ("position", "time_from", "time_to", "length", "progress"):
            if key in event["payload"]:
                value = event["payload"][key]
                assert isinstance(value, int | float) and not isinstance(value, bool), (event["id"], key, value)
                seen[key] += 1
    # Every measure occurs in the file, so a silently dropped extension would show here.
    assert all(seen[key] > 0 for key in ("position", "time_from", "time_to", "length", "progress"))


def test_real_output_holds_no_at_sign(converted: list[tuple[dict[str, Any] | None, str | None]]) -> None:
    assert not any("@" in json.dumps(event) for event, _ in converted)


def test_real_seek_keeps_both_ends(
    statements: list[dict[str, Any]], converted: list[tuple[dict[str, Any] | None, str | None]]
) -> None:
    statement, (event, _) = next(
        (s, c) for s, c in zip(statements, converted, strict=True) if s["id"] == "9dc99b37-e920-4a68-a066-917faca28949"
    )
    assert event is not None
    assert event["payload"] | {"played_segments": None} == {
        "video_id": statement["object"]["id"],
        "time_from": 124.692,
        "time_to": 176.4,
        "position": 176.4,
        "length": 263.24,
        "progress": 0.472,
        "played_segments": None,
        "session_id": "abb32c5b-ab8f-5f00-9718-267b6e6ba727",
    }


# --- identity --------------------------------------------------------------------------------------


def test_account_name_is_the_student_and_home_page_goes_to_context() -> None:
    event = _ok(_video_statement())
    assert event["student_id"] == "learner-1"
    assert event["context"]["home_page"] == "http://lms.example"


def test_mbox_becomes_a_salted_pseudonym() -> None:
    event = _ok(_video_statement(actor={"mbox": "mailto:Ada.Lovelace@Example.org"}))
    expected = email_pseudonym("ada.lovelace@example.org", SALT)
    assert event["student_id"] == expected and expected.startswith("mbox:") and len(expected) == 5 + 64
    assert "@" not in json.dumps(event) and "lovelace" not in json.dumps(event).lower()
    other_salt, _ = convert_statement(
        _video_statement(actor={"mbox": "mailto:ada.lovelace@example.org"}), pseudonym_salt="x"
    )
    assert other_salt is not None and other_salt["student_id"] != expected


def test_mbox_sha1sum_is_salted_again() -> None:
    event = _ok(_video_statement(actor={"mbox_sha1sum": "ABCDEF0123"}))
    assert event["student_id"].startswith("mbox_sha1sum:") and "abcdef0123" not in event["student_id"]


def test_account_name_that_is_an_email_is_pseudonymised() -> None:
    event = _ok(_video_statement(actor={"account": {"name": "ada@example.org", "homePage": "http://lms"}}))
    assert event["student_id"] == email_pseudonym("ada@example.org", SALT)


def test_account_wins_over_mbox() -> None:
    event = _ok(_video_statement(actor={"account": {"name": "learner-9", "homePage": "h"}, "mbox": "mailto:a@b.org"}))
    assert event["student_id"] == "learner-9"


# --- course and class ------------------------------------------------------------------------------


def test_course_from_grouping_when_parent_is_not_a_course() -> None:
    context = {
        "contextActivities": {
            "parent": [{"id": "section-3", "definition": {"type": "http://adlnet.gov/expapi/activities/module"}}],
            "grouping": [
                {
                    "id": "https://lms/course/42",
                    "definition": {"type": "https://w3id.org/xapi/cmi5/activitytype/course"},
                }
            ],
        }
    }
    event = _ok(_video_statement(context=context))
    assert event["course_id"] == "https://lms/course/42"
    assert event["class_id"] == "uuid://video-1"


def test_course_falls_back_to_the_object_id() -> None:
    event = _ok(_video_statement(context={}))
    assert event["course_id"] == event["class_id"] == "uuid://video-1"


# --- video mapping ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verb", "event_type"),
    [
        (f"{VIDEO}verbs/played", "VIDEO_PLAYED"),
        (f"{VIDEO}verbs/paused", "VIDEO_PAUSED"),
        (f"{VIDEO}verbs/seeked", "VIDEO_SEEKED"),
        (f"{VIDEO}verbs/interacted", "VIDEO_INTERACTED"),
        (f"{ADL}interacted", "VIDEO_INTERACTED"),
        (f"{ADL}initialized", "VIDEO_INITIALIZED"),
        (f"{VIDEO}verbs/initialized", "VIDEO_INITIALIZED"),
        (f"{ADL}terminated", "VIDEO_TERMINATED"),
        (f"{VIDEO}verbs/terminated", "VIDEO_TERMINATED"),
        (f"{ADL}completed", "VIDEO_ENDED"),
        (f"{VIDEO}verbs/completed", "VIDEO_ENDED"),
    ],
)
def test_video_verbs(verb: str, event_type: str) -> None:
    assert _ok(_video_statement(verb={"id": verb}))["type"] == event_type


def test_video_payload_position_length_session() -> None:
    payload = _ok(_video_statement())["payload"]
    assert payload == {"video_id": "uuid://video-1", "position": 12.5, "length": 300, "session_id": "sess-1"}


def test_video_recognised_by_extensions_alone_and_numeric_text_becomes_a_number() -> None:
    statement = _video_statement(
        object={"id": "https://player/v/9"},
        result={"extensions": {f"{VIDEO}extensions/time": " 42.5 ", f"{VIDEO}extensions/length": "600"}},
        context={"registration": "reg-1"},
    )
    event = _ok(statement)
    assert event["type"] == "VIDEO_PLAYED"
    assert event["payload"] == {
        "video_id": "https://player/v/9",
        "position": 42.5,
        "length": 600,
        "session_id": "reg-1",
    }


def test_seek_without_time_stands_at_time_to() -> None:
    result = {"extensions": {f"{VIDEO}extensions/time-from": 10, f"{VIDEO}extensions/time-to": 5.5}}
    payload = _ok(_video_statement(verb={"id": f"{VIDEO}verbs/seeked"}, result=result))["payload"]
    assert (payload["time_from"], payload["time_to"], payload["position"]) == (10, 5.5, 5.5)


def test_video_verb_on_a_non_video_object_keeps_the_xapi_name() -> None:
    event = _ok(_video_statement(object={"id": "https://lms/page/1"}, result={}, context={}))
    assert event["type"] == "XAPI_PLAYED"


# --- quizzes ---------------------------------------------------------------------------------------


def test_answered_with_raw_and_max_is_a_quiz_submit() -> None:
    event = _ok(
        _quiz_statement(
            {"raw": 7, "max": 10, "scaled": 0.7},
            result={"score": {"raw": 7, "max": 10, "scaled": 0.7}, "success": True},
        )
    )
    assert event["type"] == "QUIZ_SUBMIT"
    assert event["payload"] == {
        "quiz_id": "http://h5p.example/quiz-7",
        "score": 7,
        "max_score": 10,
        "scaled": 0.7,
        "passed": True,
    }
    assert event["class_id"] == "http://h5p.example/quiz-7"


def test_only_scaled_is_a_score_out_of_one_and_missing_success_stays_null() -> None:
    payload = _ok(_quiz_statement({"scaled": 0.85}))["payload"]
    assert (payload["score"], payload["max_score"], payload["passed"]) == (0.85, 1, None)


@pytest.mark.parametrize("verb", ["completed", "scored"])
def test_completed_and_scored_with_a_score_are_quiz_submits(verb: str) -> None:
    assert _ok(_quiz_statement({"raw": 1, "max": 2}, verb={"id": f"{ADL}{verb}"}))["type"] == "QUIZ_SUBMIT"


def test_h5p_ids_are_kept() -> None:
    statement = _quiz_statement({"raw": 1, "max": 1})
    statement["object"]["definition"]["extensions"] = {"http://h5p.org/x-api/h5p-local-content-id": 44}
    statement["context"] = {"extensions": {"http://h5p.org/x-api/h5p-subContentId": "sub-3"}}
    payload = _ok(statement)["payload"]
    assert (payload["h5p_local_content_id"], payload["h5p_subcontent_id"]) == (44, "sub-3")


def test_completed_without_a_score_on_a_non_video_object_is_an_xapi_event() -> None:
    statement = _quiz_statement({}, verb={"id": f"{ADL}completed"}, result={"completion": True})
    event = _ok(statement)
    assert event["type"] == "XAPI_COMPLETED" and event["payload"] == {"object_id": "http://h5p.example/quiz-7"}


# --- other verbs, time, ids ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verb", "event_type"),
    [
        ("http://id.tincanapi.com/verb/downloaded", "XAPI_DOWNLOADED"),
        ("https://w3id.org/xapi/acrossx/verbs/evaluated", "XAPI_EVALUATED"),
        ("http://example.org/verbs#shared-link", "XAPI_SHARED_LINK"),
    ],
)
def test_other_verbs_keep_their_last_segment(verb: str, event_type: str) -> None:
    assert _ok(_video_statement(verb={"id": verb}))["type"] == event_type


def test_timestamp_is_converted_to_utc_z() -> None:
    assert _ok(_video_statement(timestamp="2024-03-01T12:00:00+02:00"))["occurred_at"] == "2024-03-01T10:00:00Z"


def test_stored_is_used_without_a_timestamp() -> None:
    statement = _video_statement(stored="2024-03-01T10:00:00.5Z")
    del statement["timestamp"]
    assert _ok(statement)["occurred_at"] == "2024-03-01T10:00:00.500000Z"


def test_conversion_does_not_change_the_statement() -> None:
    statement = _video_statement(actor={"mbox": "mailto:a@b.org"})
    before = copy.deepcopy(statement)
    _ok(statement)
    assert statement == before


# --- rejects ---------------------------------------------------------------------------------------


def _without(key: str) -> dict[str, Any]:
    statement = _video_statement()
    del statement[key]
    return statement


@pytest.mark.parametrize(
    ("statement", "reason_part"),
    [
        (_without("id"), "no id"),
        (_video_statement(id="  "), "no id"),
        (_without("actor"), "no actor"),
        (_video_statement(actor={"objectType": "Group", "member": []}), "Group"),
        (_video_statement(actor={"name": "Ada"}), "no usable identity"),
        (_video_statement(actor={"account": {"name": ""}, "mbox": "not-an-address"}), "no usable identity"),
        (_without("verb"), "no verb"),
        (_video_statement(verb={"display": {"en": "played"}}), "no verb"),
        (_without("object"), "no object"),
        (_video_statement(object={"objectType": "Agent", "name": "x"}), "object has no id"),
        (_without("timestamp"), "timestamp"),
        (_video_statement(timestamp="yesterday", stored="not a date"), "timestamp"),
    ],
)
def test_rejects(statement: dict[str, Any], reason_part: str) -> None:
    assert reason_part in _reason(statement)


def test_a_non_object_is_rejected() -> None:
    assert convert_statement(["a", "list"], pseudonym_salt=SALT) == (None, "statement is not a JSON object")  # type: ignore[arg-type]


def test_is_xapi_statement() -> None:
    assert is_xapi_statement(_video_statement())
    assert not is_xapi_statement(_without("verb"))
    assert not is_xapi_statement({"type": "VIDEO_PING", "actor": {}, "verb": {}, "object": {}})
    assert not is_xapi_statement(["not", "a", "dict"])


# --- redaction -------------------------------------------------------------------------------------


def test_redact_emails_replaces_each_address_with_its_pseudonym() -> None:
    raw = '{"actor": {"mbox": "mailto:Ada@Example.org"}, "note": "cc bob.smith+x@mail.example.co.uk"}'
    redacted = redact_emails(raw, SALT)
    assert "@" not in redacted
    assert f'"mbox": "{email_pseudonym("ada@example.org", SALT)}"' in redacted
    assert email_pseudonym("bob.smith+x@mail.example.co.uk", SALT) in redacted


def test_redacted_reject_matches_the_pseudonym_an_accepted_statement_would_get() -> None:
    statement = _video_statement(actor={"mbox": "mailto:Ada@Example.org"})
    del statement["timestamp"]
    _reason(statement)
    redacted = json.loads(redact_emails(json.dumps(statement), SALT))
    assert redacted["actor"]["mbox"] == _ok(_video_statement(actor={"mbox": "mailto:ada@example.org"}))["student_id"]


def test_redact_emails_leaves_block_ids_alone() -> None:
    # An address needs a dotted domain, so Open edX usage keys (type@video+block@...) are not addresses.
    text = "block-v1:edX+DemoX+Demo_Course+type@video+block@0b9e39477cf34507a7a48f74be381fdd, a @ b"
    assert redact_emails(text, SALT) == text
