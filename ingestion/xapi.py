"""Turn an xAPI statement (video profile, ADL verbs, H5P) into a canonical event.

Pure functions, no database: the caller lands the event, or keeps the reject reason beside the raw text
(run it through `redact_emails` first, since a rejected statement may still hold an mbox address).
Learner e-mails never leave this module in clear: an mbox becomes a salted sha256 pseudonym.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from ingestion.values import as_number, parse_utc

VIDEO_ACTIVITY_TYPE = "https://w3id.org/xapi/video/activity-type/video"
VIDEO_EXTENSION = "https://w3id.org/xapi/video/extensions/"
OPENEDX_SESSION_EXTENSION = "https://w3id.org/xapi/openedx/extensions/session-id"
H5P_LOCAL_CONTENT_ID = "http://h5p.org/x-api/h5p-local-content-id"
H5P_SUBCONTENT_ID = "http://h5p.org/x-api/h5p-subContentId"

_VIDEO_VERBS = "https://w3id.org/xapi/video/verbs/"
_ADL_VERBS = "http://adlnet.gov/expapi/verbs/"

# Both vocabularies are in use: the video profile re-uses ADL's initialized/terminated/completed, but some
# players (and the FUN-MOOC data for `interacted`) send the other IRI, so each action is accepted from both.
VIDEO_TYPE_BY_VERB: dict[str, str] = {
    f"{prefix}{verb}": event_type
    for prefix in (_VIDEO_VERBS, _ADL_VERBS)
    for verb, event_type in (
        ("initialized", "VIDEO_INITIALIZED"),
        ("played", "VIDEO_PLAYED"),
        ("paused", "VIDEO_PAUSED"),
        ("seeked", "VIDEO_SEEKED"),
        ("interacted", "VIDEO_INTERACTED"),
        ("terminated", "VIDEO_TERMINATED"),
        ("completed", "VIDEO_ENDED"),
    )
}
QUIZ_VERBS = frozenset(f"{_ADL_VERBS}{verb}" for verb in ("answered", "completed", "scored"))

# Extensions that get a canonical payload name; the other video extensions keep a snake_case short name.
_VIDEO_PAYLOAD_NAMES = {
    "time": "position",
    "time-from": "time_from",
    "time-to": "time_to",
    "length": "length",
    "progress": "progress",
    "played-segments": "played_segments",
}
_NUMERIC_PAYLOAD_KEYS = frozenset({"position", "time_from", "time_to", "length", "progress"})

EMAIL_PATTERN = re.compile(r"(?:mailto:)?[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


class StatementRejected(Exception):
    """The statement cannot become an event; str(e) is the reject reason."""


def is_xapi_statement(obj: object) -> bool:
    """An xAPI statement has actor, verb and object; a canonical event names its `type` instead."""
    return (
        isinstance(obj, dict)
        and "type" not in obj
        and all(isinstance(obj.get(key), dict) for key in ("actor", "verb", "object"))
    )


def convert_statement(obj: dict[str, Any], *, pseudonym_salt: str) -> tuple[dict[str, Any] | None, str | None]:
    """(canonical event, None) or (None, reject reason) for one xAPI statement."""
    try:
        return _convert(obj, pseudonym_salt), None
    except StatementRejected as exc:
        return None, str(exc)


def redact_emails(raw_text: str, salt: str) -> str:
    """The text with every e-mail address (and its `mailto:`) replaced by the learner's pseudonym."""
    return EMAIL_PATTERN.sub(lambda match: email_pseudonym(match.group(0), salt), raw_text)


def email_pseudonym(address: str, salt: str) -> str:
    """'mbox:' + sha256(salt + address), the address without `mailto:`, trimmed and lower-cased."""
    normalised = address.strip().removeprefix("mailto:").strip().lower()
    return "mbox:" + salted_sha256(normalised, salt)


def salted_sha256(value: str, salt: str) -> str:
    return hashlib.sha256((salt + value).encode("utf-8")).hexdigest()


def to_utc_iso(value: Any) -> str | None:
    """ISO-8601 UTC with a 'Z', or None when the value is not an ISO-8601 date-time; naive means UTC."""
    moment = parse_utc(value)
    return None if moment is None else moment.isoformat() + "Z"


def _convert(statement: dict[str, Any], salt: str) -> dict[str, Any]:
    if not isinstance(statement, dict):
        raise StatementRejected("statement is not a JSON object")
    statement_id = statement.get("id")
    if not isinstance(statement_id, str) or not statement_id.strip():
        # Without the statement id a re-sent statement could not be told from a new one.
        raise StatementRejected("statement has no id")
    student_id, home_page = _identity(statement.get("actor"), salt)
    verb_id = _verb_id(statement.get("verb"))
    activity = statement.get("object")
    if not isinstance(activity, dict):
        raise StatementRejected("statement has no object")
    object_id = activity.get("id")
    if not isinstance(object_id, str) or not object_id.strip():
        raise StatementRejected("statement object has no id")
    occurred_at = to_utc_iso(statement.get("timestamp")) or to_utc_iso(statement.get("stored"))
    if occurred_at is None:
        raise StatementRejected("statement has no parseable timestamp or stored date-time")
    context = _mapping(statement.get("context"))
    result = _mapping(statement.get("result"))
    event_type, payload = _type_and_payload(verb_id, activity, context, result)
    event: dict[str, Any] = {
        "id": statement_id.strip(),
        "type": event_type,
        "student_id": student_id,
        "course_id": _course_id(context) or object_id,
        "class_id": object_id,
        "occurred_at": occurred_at,
        "payload": payload,
        "version": 1,
    }
    event_context = _event_context(statement, context, home_page, verb_id)
    if event_context:
        event["context"] = event_context
    return event


def _identity(actor: Any, salt: str) -> tuple[str, str | None]:
    """(student_id, account homePage); an account name that is an e-mail is pseudonymised like an mbox."""
    if not isinstance(actor, dict):
        raise StatementRejected("statement has no actor")
    if actor.get("objectType") == "Group":
        raise StatementRejected("actor is a Group: one event needs one learner")
    account = actor.get("account")
    if isinstance(account, dict) and isinstance(account.get("name"), str) and account["name"].strip():
        name = account["name"].strip()
        home_page = account.get("homePage") if isinstance(account.get("homePage"), str) else None
        return (email_pseudonym(name, salt) if EMAIL_PATTERN.fullmatch(name) else name), home_page
    mbox = actor.get("mbox")
    if isinstance(mbox, str) and "@" in mbox:
        return email_pseudonym(mbox, salt), None
    sha1 = actor.get("mbox_sha1sum")
    if isinstance(sha1, str) and sha1.strip():
        # An unsalted sha1 of an address is reversible by anyone holding the address list, so salt it again.
        return "mbox_sha1sum:" + salted_sha256(sha1.strip().lower(), salt), None
    raise StatementRejected("actor has no usable identity: no account.name, mbox or mbox_sha1sum")


def _verb_id(verb: Any) -> str:
    if not isinstance(verb, dict) or not isinstance(verb.get("id"), str) or not verb["id"].strip():
        raise StatementRejected("statement has no verb id")
    return verb["id"].strip()


def _type_and_payload(
    verb_id: str, activity: dict[str, Any], context: Mapping[str, Any], result: Mapping[str, Any]
) -> tuple[str, dict[str, Any]]:
    object_id: str = activity["id"]
    if verb_id in VIDEO_TYPE_BY_VERB and _is_video(activity, context, result):
        event_type = VIDEO_TYPE_BY_VERB[verb_id]
        payload = _video_payload(object_id, context, result)
        if event_type == "VIDEO_SEEKED" and "position" not in payload and "time_to" in payload:
            # A seek reports no `time`; the player stands where the seek landed.
            payload["position"] = payload["time_to"]
        return event_type, payload
    score = _score(result)
    if verb_id in QUIZ_VERBS and score is not None and not _is_video(activity, context, result):
        return "QUIZ_SUBMIT", _quiz_payload(object_id, activity, context, result, score)
    payload: dict[str, Any] = {"object_id": object_id}
    payload.update(_h5p_ids(activity, context))
    if score is not None:
        payload.update(score)
    return "XAPI_" + _verb_name(verb_id), payload


def _is_video(activity: Mapping[str, Any], context: Mapping[str, Any], result: Mapping[str, Any]) -> bool:
    definition = _mapping(activity.get("definition"))
    if definition.get("type") == VIDEO_ACTIVITY_TYPE:
        return True
    extension_keys = [*_mapping(context.get("extensions")), *_mapping(result.get("extensions"))]
    return any(str(key).startswith(VIDEO_EXTENSION) for key in extension_keys)


def _video_payload(object_id: str, context: Mapping[str, Any], result: Mapping[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = {"video_id": object_id}
    # Context first so a result extension (the measured value of this statement) wins on a shared name.
    for extensions in (_mapping(context.get("extensions")), _mapping(result.get("extensions"))):
        for key, value in extensions.items():
            if not str(key).startswith(VIDEO_EXTENSION) or value is None:
                continue
            short = str(key).removeprefix(VIDEO_EXTENSION)
            name = _VIDEO_PAYLOAD_NAMES.get(short, short.replace("-", "_"))
            if name == "session_id":
                continue
            payload[name] = as_number(value) if name in _NUMERIC_PAYLOAD_KEYS else value
    session_id = _session_id(context)
    if session_id is not None:
        payload["session_id"] = session_id
    return {key: value for key, value in payload.items() if value is not None}


def _session_id(context: Mapping[str, Any]) -> str | None:
    extensions = _mapping(context.get("extensions"))
    for candidate in (
        extensions.get(VIDEO_EXTENSION + "session-id"),
        extensions.get(OPENEDX_SESSION_EXTENSION),
        context.get("registration"),
    ):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    return None


def _score(result: Mapping[str, Any]) -> dict[str, Any] | None:
    """score/max_score/scaled, or None when result.score has neither a raw nor a scaled number."""
    score = _mapping(result.get("score"))
    raw, maximum, scaled = (as_number(score.get(key)) for key in ("raw", "max", "scaled"))
    if raw is None and scaled is None:
        return None
    if raw is None:
        # Only the scaled score (-1..1) is known, so it is the score out of 1.
        return {"score": scaled, "max_score": 1, "scaled": scaled}
    return {"score": raw, "max_score": maximum, "scaled": scaled}


def _quiz_payload(
    object_id: str,
    activity: Mapping[str, Any],
    context: Mapping[str, Any],
    result: Mapping[str, Any],
    score: Mapping[str, Any],
) -> dict[str, Any]:
    success = result.get("success")
    # No pass mark is known here, so a missing success stays null for the quiz catalog to decide.
    payload: dict[str, Any] = {"quiz_id": object_id, **score, "passed": success if isinstance(success, bool) else None}
    payload.update(_h5p_ids(activity, context))
    return payload


def _h5p_ids(activity: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    object_extensions = _mapping(_mapping(activity.get("definition")).get("extensions"))
    context_extensions = _mapping(context.get("extensions"))
    ids: dict[str, Any] = {}
    for key, name in ((H5P_LOCAL_CONTENT_ID, "h5p_local_content_id"), (H5P_SUBCONTENT_ID, "h5p_subcontent_id")):
        value = object_extensions.get(key, context_extensions.get(key))
        if value is not None:
            ids[name] = value
    return ids


def _course_id(context: Mapping[str, Any]) -> str | None:
    activities = _mapping(context.get("contextActivities"))
    for kind in ("parent", "grouping"):
        entries = activities.get(kind)
        # xAPI 1.0.0 allowed a single activity where 1.0.3 requires a list.
        for entry in entries if isinstance(entries, list) else [entries]:
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                continue
            if "course" in str(_mapping(entry.get("definition")).get("type", "")).lower():
                return entry["id"]
    return None


def _event_context(
    statement: Mapping[str, Any], context: Mapping[str, Any], home_page: str | None, verb_id: str
) -> dict[str, Any]:
    values = {
        "source": "xapi",
        "home_page": home_page,
        "verb_id": verb_id,
        "registration": context.get("registration"),
        "platform": context.get("platform"),
        "language": context.get("language"),
        "xapi_version": statement.get("version"),
    }
    return {key: value for key, value in values.items() if value is not None}


def _verb_name(verb_id: str) -> str:
    """The verb IRI's last path segment (or fragment), upper-cased, non-alphanumerics as '_'."""
    segment = re.split(r"[/#]", verb_id.rstrip("/#"))[-1]
    return re.sub(r"[^A-Za-z0-9]+", "_", segment).strip("_").upper() or "UNKNOWN"


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}
