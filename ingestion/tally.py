"""Turn a Tally FORM_RESPONSE webhook delivery into a canonical QUIZ_SUBMIT event.

Deliveries are rare next to the event stream, so they are converted here in Python and then pass
through the same SQL validation as every other event. Ids come from the form's hidden fields, the
score from its calculated field `score`; max_score and the pass mark come from hidden fields when the
form sends them, else from the quiz catalog seed. Numeric text in the form becomes a JSON number.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingestion.errors import IngestError
from ingestion.values import as_number
from ingestion.warehouse import PROJECT_DIR

DEFAULT_QUIZ_CATALOG = PROJECT_DIR / "seeds" / "quiz_catalog.csv"
FORM_RESPONSE = "FORM_RESPONSE"
_CATALOG_COLUMNS = ("quiz_id", "max_score", "pass_score")


class TallyRejected(Exception):
    """The delivery cannot become an event; str(e) is the reject reason."""


@dataclass(frozen=True)
class QuizMarks:
    max_score: float | int | None
    pass_score: float | int | None


@dataclass(frozen=True)
class QuizCatalog:
    path: Path
    quizzes: Mapping[str, QuizMarks]


def is_delivery(record: object) -> bool:
    """A webhook delivery names its `eventType`; a canonical event names its `type` instead."""
    return isinstance(record, dict) and "eventType" in record and "type" not in record


def load_quiz_catalog(path: Path | None) -> QuizCatalog:
    """The seed CSV (quiz_id,max_score,pass_score); the project's default may be absent, a given path may not."""
    target = path or DEFAULT_QUIZ_CATALOG
    if not target.is_file():
        if path is not None:
            raise IngestError(f"{path}: quiz catalog not found; pass an existing CSV with {','.join(_CATALOG_COLUMNS)}")
        return QuizCatalog(target, {})
    with target.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in _CATALOG_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise IngestError(f"{target}: quiz catalog lacks column(s) {', '.join(missing)}; fix its header")
        quizzes = {
            row["quiz_id"].strip(): QuizMarks(as_number(row["max_score"]), as_number(row["pass_score"]))
            for row in reader
            if (row.get("quiz_id") or "").strip()
        }
    return QuizCatalog(target, quizzes)


def convert_delivery(delivery: dict[str, Any], catalog: QuizCatalog) -> dict[str, Any]:
    """The canonical QUIZ_SUBMIT for one delivery, or TallyRejected with the reason."""
    event_type = delivery.get("eventType")
    if event_type != FORM_RESPONSE:
        raise TallyRejected(f"Tally delivery with eventType {event_type!r}: only {FORM_RESPONSE} is supported")
    data = delivery.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("fields"), list):
        raise TallyRejected("malformed Tally delivery: data.fields is not a list")
    hidden = _fields(data["fields"], "HIDDEN_FIELDS")
    calculated = _fields(data["fields"], "CALCULATED_FIELDS")
    for required in ("student_id", "class_id"):
        if _blank(hidden.get(required)):
            raise TallyRejected(f"Tally delivery without a {required} hidden field")
    score = as_number(calculated.get("score"))
    if score is None:
        raise TallyRejected("Tally delivery without a numeric score calculated field")
    quiz_id = hidden.get("quiz_id")
    marks = catalog.quizzes.get(str(quiz_id).strip()) if not _blank(quiz_id) else None
    max_score = _form_or_seed(hidden.get("max_score"), marks.max_score if marks else None)
    pass_score = _form_or_seed(hidden.get("pass_score"), marks.pass_score if marks else None)
    if pass_score is None:
        raise TallyRejected(
            f"Tally delivery for quiz {quiz_id!r} has no pass mark: "
            f"send a pass_score hidden field or add the quiz to {catalog.path.name}"
        )
    event: dict[str, Any] = {
        "id": delivery.get("eventId"),
        "type": "QUIZ_SUBMIT",
        "student_id": hidden["student_id"],
        "course_id": hidden.get("course_id"),
        "class_id": hidden["class_id"],
        "occurred_at": data.get("createdAt") or delivery.get("createdAt"),
        "payload": {
            "quiz_id": quiz_id,
            "score": score,
            "max_score": max_score,
            "passed": score >= pass_score,
            "pass_score": pass_score,
            "form_id": data.get("formId"),
            "response_id": data.get("responseId"),
        },
    }
    if not _blank(hidden.get("organization_id")):
        event["organization_id"] = hidden["organization_id"]
    return event


def convert_raw(raw: str, catalog: QuizCatalog) -> tuple[str | None, str | None]:
    """(canonical JSON text, None) or (None, reject reason) for one raw delivery text."""
    try:
        event = convert_delivery(json.loads(raw), catalog)
    except TallyRejected as exc:
        return None, str(exc)
    except ValueError:
        return None, "not valid JSON"
    return json.dumps(event, ensure_ascii=False), None


def _fields(fields: list[Any], field_type: str) -> dict[str, Any]:
    """Values by trimmed, lower-cased label; the first field with a label wins."""
    values: dict[str, Any] = {}
    for field in fields:
        if isinstance(field, dict) and field.get("type") == field_type and isinstance(field.get("label"), str):
            values.setdefault(field["label"].strip().lower(), field.get("value"))
    return values


def _form_or_seed(form_value: Any, seed_value: float | int | None) -> float | int | None:
    number = as_number(form_value)
    return number if number is not None else seed_value


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


