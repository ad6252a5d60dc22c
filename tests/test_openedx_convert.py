"""Open edX tracking event -> canonical event: the 81 real events checked against the xAPI Open edX makes of
them, then one case per rule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ingestion.openedx_tracking import (
    BROWSER_PROBLEM_CHECK_TYPE,
    UNGRADED_PROBLEM_CHECK_TYPE,
    VIDEO_TYPE_BY_NAME,
    convert_tracking_event,
    event_id,
    is_tracking_event,
    parse_tracking_line,
)

SALT = "test-salt"
VIDEO_EXT = "https://w3id.org/xapi/video/extensions/"
VERB_BY_TYPE = {
    "VIDEO_INITIALIZED": "initialized",
    "VIDEO_PLAYED": "played",
    "VIDEO_PAUSED": "paused",
    "VIDEO_SEEKED": "seeked",
    "VIDEO_TERMINATED": "terminated",
    "VIDEO_ENDED": "completed",
    "QUIZ_SUBMIT": "evaluated",
    UNGRADED_PROBLEM_CHECK_TYPE: "evaluated",
}
# The only real event without a learner: Open edX logs anonymous page clicks with user_id null.
EXPECTED_REJECTS = {"edx.ui.lms.link_clicked(anonymous_user).json": "anonymous"}


def _events(shared_dir: Path) -> list[Path]:
    return sorted((shared_dir / "data" / "openedx" / "events").glob("*.json"))


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _ok(obj: dict[str, Any]) -> dict[str, Any]:
    event, reason = convert_tracking_event(obj, pseudonym_salt=SALT)
    assert reason is None and event is not None
    return event


def _reason(obj: dict[str, Any]) -> str:
    event, reason = convert_tracking_event(obj, pseudonym_salt=SALT)
    assert event is None and reason
    return reason


def _expected_statement(shared_dir: Path, name: str, object_suffix: str | None) -> dict[str, Any] | None:
    """The xAPI Open edX made of the event; of several (one per question), the one about the whole block."""
    path = shared_dir / "data" / "openedx" / "xapi_expected" / name
    if not path.is_file():
        return None
    expected = _load(path)
    statements = expected if isinstance(expected, list) else [expected]
    if object_suffix is None:
        return statements[0]
    return next(s for s in statements if s["object"].get("id", "").endswith("/" + object_suffix))


def _video_and_problem_files(shared_dir: Path) -> list[Path]:
    return [path for path in _events(shared_dir) if _ok_or_none(path) is not None]


def _ok_or_none(path: Path) -> dict[str, Any] | None:
    event, _ = convert_tracking_event(_load(path), pseudonym_salt=SALT)
    if event is None or event["type"] not in VERB_BY_TYPE:
        return None
    return event


# --- the real events -------------------------------------------------------------------------------


def test_there_are_81_real_events(shared_dir: Path) -> None:
    assert len(_events(shared_dir)) == 81


def test_every_real_event_converts_or_has_the_expected_reason(shared_dir: Path) -> None:
    for path in _events(shared_dir):
        obj = _load(path)
        assert is_tracking_event(obj), path.name
        event, reason = convert_tracking_event(obj, pseudonym_salt=SALT)
        if path.name in EXPECTED_REJECTS:
            assert event is None and reason and EXPECTED_REJECTS[path.name] in reason
            continue
        assert reason is None and event is not None, (path.name, reason)
        assert set(event) >= {"id", "type", "student_id", "course_id", "class_id", "occurred_at", "payload", "version"}
        assert event["id"].startswith("openedx:") and event["occurred_at"].endswith("Z") and event["version"] == 1
        assert event["student_id"].startswith(("openedx-user:", "openedx-username:"))


def test_real_video_and_problem_events_get_their_types(shared_dir: Path) -> None:
    types = {path.name: event["type"] for path in _events(shared_dir) if (event := _ok_or_none(path))}
    assert types["play_video.json"] == "VIDEO_PLAYED"
    assert types["pause_video.json"] == "VIDEO_PAUSED"
    assert types["seek_video.json"] == "VIDEO_SEEKED"
    assert types["stop_video.json"] == "VIDEO_TERMINATED"
    assert types["complete_video.json"] == "VIDEO_ENDED"
    assert types["load_video.json"] == "VIDEO_INITIALIZED"
    quiz_files = {name for name, event_type in types.items() if event_type == "QUIZ_SUBMIT"}
    # A problem worth no points (max_grade 0) is practice, not an attempt the quiz rules could pass.
    ungraded = "problem_check(server).max_grade_0.json"
    assert types[ungraded] == UNGRADED_PROBLEM_CHECK_TYPE
    assert quiz_files == {p.name for p in _events(shared_dir) if p.name.startswith("problem_check(server")} - {ungraded}


def test_real_events_agree_with_open_edx_xapi(shared_dir: Path) -> None:
    compared = 0
    for path in _video_and_problem_files(shared_dir):
        event = _ok(_load(path))
        payload = event["payload"]
        block = payload.get("video_id") or payload.get("quiz_id")
        expected = _expected_statement(shared_dir, path.name, block)
        if expected is None:
            continue
        compared += 1
        assert expected["verb"]["id"].endswith("/" + VERB_BY_TYPE[event["type"]]), path.name
        assert expected["object"]["id"].endswith("/" + event["class_id"]), path.name
        result = expected.get("result") or {}
        if event["type"] in ("QUIZ_SUBMIT", UNGRADED_PROBLEM_CHECK_TYPE):
            _assert_quiz_agrees(path.name, payload, result)
        else:
            _assert_video_agrees(path.name, payload, result, expected["context"].get("extensions") or {})
    assert compared == 17


def _assert_video_agrees(name: str, payload: dict[str, Any], result: dict[str, Any], context: dict[str, Any]) -> None:
    extensions = result.get("extensions") or {}
    # Open edX rounds positions to the millisecond; we keep what the player sent.
    for key, ours in (("time", "position"), ("time-from", "time_from"), ("time-to", "time_to")):
        if VIDEO_EXT + key in extensions:
            assert round(payload[ours], 3) == pytest.approx(extensions[VIDEO_EXT + key]), (name, key)
    if VIDEO_EXT + "length" in context:
        assert payload["length"] == pytest.approx(context[VIDEO_EXT + "length"]), name


def _assert_quiz_agrees(name: str, payload: dict[str, Any], result: dict[str, Any]) -> None:
    assert payload["score"] == pytest.approx(result["score"]["raw"]), name
    assert payload["max_score"] == pytest.approx(result["score"]["max"]), name
    assert payload["passed"] is result["success"], name


def test_real_ids_are_deterministic_and_distinct(shared_dir: Path) -> None:
    ids = {}
    for path in _events(shared_dir):
        first, _ = convert_tracking_event(_load(path), pseudonym_salt=SALT)
        again, _ = convert_tracking_event(_load(path), pseudonym_salt="other")
        if first is not None and again is not None:
            assert first["id"] == again["id"] == event_id(_load(path))
            ids[path.name] = first["id"]
    assert len(set(ids.values())) == len(ids)


def test_real_usernames_never_appear_in_clear(shared_dir: Path) -> None:
    for path in _events(shared_dir):
        obj = _load(path)
        event, _ = convert_tracking_event(obj, pseudonym_salt=SALT)
        usernames = {obj.get("username"), (obj.get("context") or {}).get("username")} - {None, ""}
        # org_id may spell like a username ('edX'), so only what is derived from the learner is searched.
        text = json.dumps([event["student_id"], event["payload"]]) if event else ""
        assert not any(f'"{username}"' in text for username in usernames), path.name
        assert '"ip"' not in json.dumps(event) and "Mozilla" not in json.dumps(event), path.name


# --- mapping rules ---------------------------------------------------------------------------------


def _video_event(name: str, **data: Any) -> dict[str, Any]:
    return {
        "name": name,
        "timestamp": "2020-07-15T08:52:55.057099+02:00",
        "context": {"user_id": 3, "username": "ada", "course_id": "course-v1:edX+DemoX+Demo_Course"},
        "data": {"id": "0b9e39477cf34507a7a48f74be381fdd", "duration": 195, **data},
    }


BLOCK = "block-v1:edX+DemoX+Demo_Course+type@video+block@0b9e39477cf34507a7a48f74be381fdd"


@pytest.mark.parametrize(("name", "event_type"), sorted(VIDEO_TYPE_BY_NAME.items()))
def test_video_names(name: str, event_type: str) -> None:
    assert _ok(_video_event(name, currentTime=3))["type"] == event_type


def test_play_payload_and_ids() -> None:
    event = _ok(_video_event("play_video", currentTime="12.5"))
    assert event["payload"] == {"video_id": BLOCK, "position": 12.5, "length": 195}
    assert (event["class_id"], event["course_id"]) == (BLOCK, "course-v1:edX+DemoX+Demo_Course")
    assert event["occurred_at"] == "2020-07-15T06:52:55.057099Z"
    assert event["student_id"] == "openedx-user:3"


def test_seek_has_both_ends_and_stands_at_new_time() -> None:
    payload = _ok(_video_event("seek_video", old_time=100, new_time=20))["payload"]
    assert (payload["time_from"], payload["time_to"], payload["position"]) == (100, 20, 20)


def test_complete_without_current_time_ends_at_the_duration() -> None:
    assert _ok(_video_event("complete_video"))["payload"]["position"] == 195


def test_ccx_course_gets_a_ccx_block_id() -> None:
    obj = _video_event("play_video", currentTime=1)
    obj["context"]["course_id"] = "ccx-v1:edX+DemoX+Demo_Course+ccx@1"
    assert _ok(obj)["class_id"].startswith("ccx-block-v1:edX+DemoX+Demo_Course+ccx@1+type@video+block@")


def test_server_problem_check_is_a_quiz_submit() -> None:
    obj = {
        "name": "problem_check",
        "timestamp": "2020-07-14T14:39:26Z",
        "context": {"user_id": 3, "course_id": "course-v1:edX+DemoX+Demo_Course", "event_source": "server"},
        "data": {"problem_id": "block-v1:x+type@problem+block@p1", "grade": 3, "max_grade": 3, "success": "correct"},
    }
    event = _ok(obj)
    assert event["type"] == "QUIZ_SUBMIT"
    assert event["payload"] == {
        "quiz_id": "block-v1:x+type@problem+block@p1",
        "score": 3,
        "max_score": 3,
        "passed": True,
        "attempts": None,
    }
    assert event["class_id"] == "block-v1:x+type@problem+block@p1"


def test_browser_problem_check_names_the_problem_but_is_not_an_attempt() -> None:
    obj = {
        "name": "problem_check",
        "timestamp": "2020-07-14T14:39:26Z",
        "context": {"user_id": 3, "course_id": "course-v1:edX+DemoX+Demo_Course", "event_source": "browser"},
        "data": "input_3fc5461f86764ad7bdbdf6cbdde61e66_2_1%5B%5D=choice_0",
    }
    event = _ok(obj)
    assert event["type"] == BROWSER_PROBLEM_CHECK_TYPE
    assert event["class_id"] == "block-v1:edX+DemoX+Demo_Course+type@problem+block@3fc5461f86764ad7bdbdf6cbdde61e66"


def test_other_names_are_kept_with_their_data() -> None:
    obj = {
        "name": "edx.forum.thread.voted",
        "timestamp": "2023-07-10T09:23:10Z",
        "context": {"user_id": 16, "course_id": "course-v1:a+b+c", "ip": "10.0.0.1"},
        "data": {"target_username": "Bob", "note": "mail bob@example.org", "vote_value": "up"},
    }
    event = _ok(obj)
    assert event["type"] == "OPENEDX_FORUM_THREAD_VOTED"
    data = event["payload"]["data"]
    assert data["vote_value"] == "up" and data["target_username"].startswith("openedx-username:")
    assert "bob" not in json.dumps(event).lower() and "10.0.0.1" not in json.dumps(event)


def test_username_is_pseudonymised_case_insensitively() -> None:
    first = _ok({"name": "x", "timestamp": "2024-01-01T00:00:00Z", "context": {"username": "Ada"}})
    second = _ok({"name": "x", "timestamp": "2024-01-01T00:00:00Z", "context": {"username": "ada "}})
    assert first["student_id"] == second["student_id"]
    assert first["student_id"].startswith("openedx-username:") and "ada" not in first["student_id"]


def test_user_id_wins_over_username_and_numeric_text_counts() -> None:
    event = _ok(
        {
            "name": "x",
            "timestamp": "2024-01-01T00:00:00Z",
            "context": {"user_id": "", "username": "ada"},
            "data": {"user_id": "7"},
        }
    )
    assert event["student_id"] == "openedx-user:7"


# --- raw log records and lines ---------------------------------------------------------------------


RAW = {
    "name": "problem_check",
    "event_type": "problem_check",
    "username": "ada",
    "time": "2023-09-08T15:58:04.833393+00:00",
    "event_source": "server",
    "context": {"user_id": 8, "course_id": "course-v1:edX+DemoX+Demo_Course"},
    "event": json.dumps(
        {"problem_id": "block-v1:x+type@problem+block@p1", "grade": 2, "max_grade": 3, "success": "incorrect"}
    ),
}


def test_raw_record_with_event_as_json_text() -> None:
    event = _ok(RAW)
    assert event["type"] == "QUIZ_SUBMIT" and event["occurred_at"] == "2023-09-08T15:58:04.833393Z"
    assert (event["payload"]["score"], event["payload"]["max_score"], event["payload"]["passed"]) == (2, 3, False)


def test_raw_record_with_event_as_query_string() -> None:
    raw = RAW | {"event_source": "browser", "event": "input_3fc5461f86764ad7bdbdf6cbdde61e66_2_1=choice_1"}
    assert _ok(raw)["type"] == BROWSER_PROBLEM_CHECK_TYPE


def test_parse_tracking_line_behind_a_logger_prefix() -> None:
    line = "2023-09-08 15:58:04,833 INFO 123 [tracking] [user 8] logger.py:41 - " + json.dumps(RAW) + "\n"
    assert parse_tracking_line(line) == RAW
    assert parse_tracking_line(json.dumps(RAW)) == RAW


@pytest.mark.parametrize(
    "line",
    [
        "",
        "no json here",
        "prefix {not json",
        '{"verb": {"id": "x"}, "actor": {}, "object": {}}',
        '{"type": "VIDEO_PING"}',
    ],
)
def test_parse_tracking_line_refuses_other_lines(line: str) -> None:
    assert parse_tracking_line(line) is None


# --- rejects ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("obj", "reason_part"),
    [
        ({"timestamp": "2024-01-01T00:00:00Z", "context": {"user_id": 1}, "data": {}}, "no name"),
        ({"name": "play_video", "context": {"user_id": 1}, "data": {}}, "timestamp"),
        ({"name": "play_video", "timestamp": "soon", "context": {"user_id": 1}}, "timestamp"),
        (
            {"name": "play_video", "timestamp": "2024-01-01T00:00:00Z", "context": {"user_id": None, "username": ""}},
            "anonymous",
        ),
    ],
)
def test_rejects(obj: dict[str, Any], reason_part: str) -> None:
    assert reason_part in _reason(obj)


def test_is_tracking_event() -> None:
    assert is_tracking_event(RAW)
    assert is_tracking_event(_video_event("play_video"))
    assert not is_tracking_event({"type": "QUIZ_SUBMIT", "name": "x", "data": {}})
    assert not is_tracking_event({"name": "x"})
    assert not is_tracking_event("play_video")
