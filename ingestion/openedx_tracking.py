"""Turn an Open edX tracking-log event into a canonical event.

Accepts both shapes Open edX writes: the processed envelope `{name, timestamp, context, data}` and the raw
tracking-log record (`event_type`, `time`, and `event` as an object, a JSON string or, for the browser
problem_check, a URL query string). Pure functions, no database.

Identity: `context.user_id` (Open edX's numeric LMS id, stable per instance) becomes
'openedx-user:<id>'; without it the username, which is chosen by the learner and often their name,
becomes 'openedx-username:' + salted sha256 and never appears in clear. The two forms of one learner
do not join: that needs the instance's user table, which this module does not have.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from ingestion.values import as_number
from ingestion.xapi import redact_emails, salted_sha256, to_utc_iso

VIDEO_TYPE_BY_NAME: dict[str, str] = {
    "load_video": "VIDEO_INITIALIZED",
    "edx.video.loaded": "VIDEO_INITIALIZED",
    "play_video": "VIDEO_PLAYED",
    "edx.video.played": "VIDEO_PLAYED",
    "pause_video": "VIDEO_PAUSED",
    "edx.video.paused": "VIDEO_PAUSED",
    "seek_video": "VIDEO_SEEKED",
    "edx.video.position.changed": "VIDEO_SEEKED",
    "stop_video": "VIDEO_TERMINATED",
    "edx.video.stopped": "VIDEO_TERMINATED",
    "complete_video": "VIDEO_ENDED",
    "edx.video.completed": "VIDEO_ENDED",
}
PROBLEM_CHECK = "problem_check"
BROWSER_PROBLEM_CHECK_TYPE = "OPENEDX_PROBLEM_CHECK_BROWSER"
UNGRADED_PROBLEM_CHECK_TYPE = "OPENEDX_PROBLEM_CHECK_UNGRADED"

# Keys whose value names a learner; replaced by the pseudonym wherever they occur in kept data.
_USERNAME_KEYS = frozenset({"username", "target_username", "user_name"})
# Network and device details are personal data the warehouse has no use for.
_DROPPED_KEYS = frozenset({"ip", "agent", "client_id"})
_BROWSER_INPUT = re.compile(r"^input_([0-9a-f]{32})_")


class TrackingRejected(Exception):
    """The tracking event cannot become an event; str(e) is the reject reason."""


def is_tracking_event(obj: object) -> bool:
    """A tracking event has a string `name` or `event_type` and no xAPI verb or canonical `type`."""
    if not isinstance(obj, dict) or "type" in obj or "verb" in obj:
        return False
    name = obj.get("name") or obj.get("event_type")
    return isinstance(name, str) and any(key in obj for key in ("context", "data", "event"))


def parse_tracking_line(line: str) -> dict[str, Any] | None:
    """The tracking event in one log line, after any logger prefix (text before the first '{'), else None."""
    start = line.find("{")
    if start < 0:
        return None
    try:
        obj, _ = json.JSONDecoder().raw_decode(line, start)
    except ValueError:
        return None
    return obj if is_tracking_event(obj) else None


def convert_tracking_event(obj: dict[str, Any], *, pseudonym_salt: str) -> tuple[dict[str, Any] | None, str | None]:
    """(canonical event, None) or (None, reject reason) for one tracking event."""
    try:
        return _convert(obj, pseudonym_salt), None
    except TrackingRejected as exc:
        return None, str(exc)


def event_id(obj: Mapping[str, Any]) -> str:
    """Tracking events carry no id: 'openedx:' + sha256 of the event as sorted-key compact JSON."""
    canonical = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return "openedx:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _convert(obj: dict[str, Any], salt: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise TrackingRejected("tracking event is not a JSON object")
    name = obj.get("name") or obj.get("event_type")
    if not isinstance(name, str) or not name.strip():
        raise TrackingRejected("tracking event has no name or event_type")
    name = name.strip()
    occurred_at = to_utc_iso(obj.get("timestamp")) or to_utc_iso(obj.get("time"))
    if occurred_at is None:
        raise TrackingRejected(f"tracking event {name!r} has no parseable timestamp or time")
    context = _mapping(obj.get("context"))
    data = _event_data(obj)
    student_id = _student_id(obj, context, _mapping(data), salt)
    course_id = _text(context.get("course_id")) or _text(_mapping(data).get("course_id"))
    event_type, payload, class_id = _type_payload_class(name, data, context, course_id, salt)
    event: dict[str, Any] = {
        "id": event_id(obj),
        "type": event_type,
        "student_id": student_id,
        "course_id": course_id,
        "class_id": class_id,
        "occurred_at": occurred_at,
        "payload": payload,
        "context": _event_context(obj, context, name),
        "version": 1,
    }
    return event


def _event_data(obj: Mapping[str, Any]) -> Any:
    """`data` (processed) or `event` (raw); a JSON string is decoded, any other string kept as text."""
    data = obj["data"] if "data" in obj else obj.get("event")
    if isinstance(data, str):
        try:
            decoded = json.loads(data)
        except ValueError:
            return data
        return decoded if isinstance(decoded, dict | list) else data
    return data


def _student_id(obj: Mapping[str, Any], context: Mapping[str, Any], data: Mapping[str, Any], salt: str) -> str:
    for candidate in (context.get("user_id"), data.get("user_id")):
        user_id = as_number(candidate)
        if isinstance(user_id, int) and user_id > 0:
            return f"openedx-user:{user_id}"
    for candidate in (context.get("username"), obj.get("username"), data.get("username")):
        if isinstance(candidate, str) and candidate.strip():
            return _username_pseudonym(candidate, salt)
    raise TrackingRejected("tracking event has no user_id or username (anonymous user)")


def _username_pseudonym(username: str, salt: str) -> str:
    # Open edX usernames are case-insensitive at login, so case must not split one learner in two.
    return "openedx-username:" + salted_sha256(username.strip().lower(), salt)


def _type_payload_class(
    name: str, data: Any, context: Mapping[str, Any], course_id: str | None, salt: str
) -> tuple[str, dict[str, Any], str | None]:
    fields = _mapping(data)
    if name in VIDEO_TYPE_BY_NAME:
        payload = _video_payload(name, fields, course_id)
        return VIDEO_TYPE_BY_NAME[name], payload, payload.get("video_id")
    if name == PROBLEM_CHECK and isinstance(data, dict):
        payload = _quiz_payload(fields, context)
        if payload["max_score"] is not None and payload["max_score"] <= 0:
            # A problem worth no points is practice: kept with its result, but no quiz attempt to pass.
            return UNGRADED_PROBLEM_CHECK_TYPE, payload, payload.get("quiz_id")
        return "QUIZ_SUBMIT", payload, payload.get("quiz_id")
    if name == PROBLEM_CHECK:
        # The browser form carries the answers but no grade, and the server form follows it for the same
        # submission: as a second QUIZ_SUBMIT it would count one attempt twice.
        quiz_id = _browser_problem_id(data, course_id)
        payload = {"name": name, "quiz_id": quiz_id, "answers": _redacted(data, salt)}
        return BROWSER_PROBLEM_CHECK_TYPE, payload, quiz_id
    payload = {"name": name, "data": _redacted(data, salt)}
    return "OPENEDX_" + _normalised_name(name), payload, _block_id(fields, context, course_id)


def _video_payload(name: str, data: Mapping[str, Any], course_id: str | None) -> dict[str, Any]:
    length = as_number(data.get("duration"))
    current = as_number(data.get("currentTime", data.get("current_time")))
    payload: dict[str, Any] = {"video_id": _video_block_id(data.get("id"), course_id), "length": length}
    if VIDEO_TYPE_BY_NAME[name] == "VIDEO_SEEKED":
        time_to = as_number(data.get("new_time"))
        time_from = as_number(data.get("old_time"))
        # edx.video.position.changed reports the start as currentTime instead of old_time.
        payload.update(time_from=time_from if time_from is not None else current, time_to=time_to, position=time_to)
    elif VIDEO_TYPE_BY_NAME[name] == "VIDEO_ENDED":
        # complete_video has no currentTime: a completed video ends at its duration (as Open edX's xAPI says).
        payload["position"] = current if current is not None else length
    else:
        payload["position"] = current
    if isinstance(data.get("code"), str):
        payload["code"] = data["code"]
    return {key: value for key, value in payload.items() if value is not None}


def _video_block_id(hex_id: Any, course_id: str | None) -> str | None:
    """The video's usage key, as Open edX's own xAPI names it; the bare id when the course key is unknown."""
    video = _text(hex_id)
    if video is None or video.startswith(("block-v1:", "ccx-block-v1:", "i4x://")):
        return video
    return _usage_key(course_id, "video", video) or video


def _usage_key(course_id: str | None, block_type: str, block_hex: str) -> str | None:
    if course_id is None:
        return None
    for course_prefix, block_prefix in (("course-v1:", "block-v1:"), ("ccx-v1:", "ccx-block-v1:")):
        if course_id.startswith(course_prefix):
            return f"{block_prefix}{course_id.removeprefix(course_prefix)}+type@{block_type}+block@{block_hex}"
    return None


def _quiz_payload(data: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    quiz_id = _text(data.get("problem_id")) or _text(_mapping(context.get("module")).get("usage_key"))
    success = data.get("success")
    return {
        "quiz_id": quiz_id,
        "score": as_number(data.get("grade")),
        "max_score": as_number(data.get("max_grade")),
        # Open edX says 'incorrect' for a partly right answer too, so only 'correct' passes.
        "passed": success == "correct" if isinstance(success, str) else None,
        "attempts": as_number(data.get("attempts")),
    }


def _browser_problem_id(data: Any, course_id: str | None) -> str | None:
    """The problem's usage key from the answer inputs' names (input_<block hex>_<n>_<m>)."""
    if not isinstance(data, str):
        return None
    for key in parse_qs(data, keep_blank_values=True):
        match = _BROWSER_INPUT.match(key)
        if match:
            return _usage_key(course_id, "problem", match.group(1)) or match.group(1)
    return None


def _block_id(data: Mapping[str, Any], context: Mapping[str, Any], course_id: str | None) -> str | None:
    if "code" in data and _text(data.get("id")):
        # Other video events (speed, transcript, captions) name the video like play_video does.
        return _video_block_id(data.get("id"), course_id)
    for candidate in (data.get("problem_id"), data.get("block_id"), data.get("module_id")):
        if _text(candidate):
            return _text(candidate)
    return _text(_mapping(context.get("module")).get("usage_key"))


def _redacted(value: Any, salt: str) -> Any:
    """The value with usernames pseudonymised, e-mails redacted and network details dropped, recursively."""
    if isinstance(value, dict):
        kept: dict[str, Any] = {}
        for key, item in value.items():
            if key in _DROPPED_KEYS:
                continue
            is_username = key in _USERNAME_KEYS and isinstance(item, str) and item.strip()
            kept[key] = _username_pseudonym(item, salt) if is_username else _redacted(item, salt)
        return kept
    if isinstance(value, list):
        return [_redacted(item, salt) for item in value]
    if isinstance(value, str):
        return redact_emails(value, salt)
    return value


def _event_context(obj: Mapping[str, Any], context: Mapping[str, Any], name: str) -> dict[str, Any]:
    values = {
        "source": "openedx",
        "name": name,
        "event_source": obj.get("event_source") or context.get("event_source"),
        "session": obj.get("session") or context.get("session"),
        "org_id": context.get("org_id"),
        "host": obj.get("host") or context.get("host"),
    }
    return {key: value for key, value in values.items() if isinstance(value, str) and value}


def _normalised_name(name: str) -> str:
    """'edx.course.enrollment.activated' -> 'COURSE_ENROLLMENT_ACTIVATED': the 'edx.' prefix says nothing."""
    return re.sub(r"[^A-Za-z0-9]+", "_", name.removeprefix("edx.")).strip("_").upper() or "UNKNOWN"


def _text(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}
