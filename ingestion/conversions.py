"""Records in another system's shape -> canonical event JSON, told apart by their shape alone.

`ingest events` sends here every record that names no `type` (and every non-JSON line that holds a
`{`, which may be a tracking-log line behind a logger prefix). A Tally webhook delivery, an xAPI
statement and an Open edX tracking event are converted; anything else is handed back unchanged so the
canonical validation gives it its usual reason. The result passes through that same validation.
"""

from __future__ import annotations

import json
import os
from typing import Any

from ingestion import openedx_tracking, tally, xapi

SALT_ENV = "LMS_PSEUDONYM_SALT"
# Used only when LMS_PSEUDONYM_SALT is unset (demo, tests); a deployment sets its own secret salt.
DEFAULT_SALT = "lms-warehouse-development-salt"

Converted = tuple[str | None, str | None]  # (canonical JSON text to validate, or None; reject reason)


def pseudonym_salt() -> str:
    return os.environ.get(SALT_ENV) or DEFAULT_SALT


def convert_raw(raw: str, catalog: tally.QuizCatalog, salt: str) -> Converted:
    """(text for the canonical validation, None) or (None, reject reason) for one raw record."""
    try:
        return _convert(raw, catalog, salt)
    except RecursionError:
        return None, "nested too deeply to convert (deeper than Python's recursion limit)"


def _convert(raw: str, catalog: tally.QuizCatalog, salt: str) -> Converted:
    try:
        record = json.loads(raw, object_pairs_hook=_refuse_duplicate_keys)
    except DuplicateKey as exc:
        return None, f"duplicate key {json.dumps(exc.key)} in the record: readers would disagree on its value"
    except ValueError:
        line_event = openedx_tracking.parse_tracking_line(raw)
        if line_event is None:
            return raw, None  # not JSON and no tracking event inside: validation says why
        record = line_event
    if tally.is_delivery(record):
        return tally.convert_raw(raw, catalog)
    if _looks_like_statement(record):
        event, reason = xapi.convert_statement(record, pseudonym_salt=salt)
        return _canonical(record, _with_quiz_marks(event, catalog)), reason
    if openedx_tracking.is_tracking_event(record):
        event, reason = openedx_tracking.convert_tracking_event(record, pseudonym_salt=salt)
        return _canonical(record, _with_quiz_marks(event, catalog)), reason
    return raw, None


class DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json.loads keeps an object's last value of a repeated key and DuckDB its first: such a record is refused."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise DuplicateKey(key)
        found[key] = value
    return found


def _looks_like_statement(record: Any) -> bool:
    """An xAPI statement, maybe a broken one (actor null, no verb id...): it names a verb, or an actor and an
    object, and no `type`. The converter then says which part is missing."""
    if not isinstance(record, dict) or "type" in record:
        return False
    return "verb" in record or {"actor", "object"} <= record.keys()


def _with_quiz_marks(event: dict[str, Any] | None, catalog: tally.QuizCatalog) -> dict[str, Any] | None:
    """A QUIZ_SUBMIT without max_score or verdict takes them from the quiz catalog seed, like Tally."""
    if event is None or event["type"] != "QUIZ_SUBMIT":
        return event
    payload = event["payload"]
    marks = catalog.quizzes.get(str(payload.get("quiz_id") or "").strip())
    if marks is None:
        return event
    if payload.get("max_score") is None:
        payload["max_score"] = marks.max_score
    if payload.get("passed") is None and marks.pass_score is not None and payload.get("score") is not None:
        payload["passed"] = payload["score"] >= marks.pass_score
    return event


def _canonical(record: dict[str, Any], event: dict[str, Any] | None) -> str | None:
    if event is None:
        return None
    tenant = record.get("organization_id")
    if isinstance(tenant, str) and tenant.strip():
        event["organization_id"] = tenant.strip()
    return json.dumps(event, ensure_ascii=False)

