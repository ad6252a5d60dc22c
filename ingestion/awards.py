"""Land the badge awards the LMS itself sends (ERD gamification_award objects), like a catalog entity.

The input is `gamification_award.json`: a JSON array of objects with the ERD's columns (id, badge_id,
student_id, course_id, class_id, awarded_at, context_json, raw_json, created_at). Each object lands whole
in `landing.gamification_awards`; the same object again adds nothing, a changed one lands as a new version.
A record without id, badge_id or student_id, or whose awarded_at is not a timestamp, is rejected with the
reason (landing.catalog_rejects, entity `gamification_award`). dbt keeps the latest version per id and
never counts an award twice (models/marts/gamification/gamification_award.sql).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from ingestion.batches import BatchResult
from ingestion.catalog import _land_entity, _problem, _read_file
from ingestion.errors import IngestError
from ingestion.landing import AWARDS_TABLE, ensure_landing_schema
from ingestion.values import parse_utc

AWARDS_FILE = "gamification_award.json"
AWARDS_ENTITY = "gamification_award"


def awards_file_in(path: Path | str) -> Path | None:
    """The awards file PATH names: PATH itself, or gamification_award.json inside the folder PATH."""
    candidate = Path(path).expanduser().resolve()
    if candidate.is_dir():
        candidate = candidate / AWARDS_FILE
    return candidate if candidate.is_file() else None


def ingest_awards(con: duckdb.DuckDBPyConnection, path: Path | str, *, organization_id: str = "default") -> BatchResult:
    """Land one awards file (or the gamification_award.json of a folder) as one batch."""
    file = awards_file_in(path)
    if file is None:
        raise IngestError(f"{path}: neither an awards file nor a folder holding {AWARDS_FILE}; check the path")
    ensure_landing_schema(con)
    records, file_error = _read_file(file)
    return _land_entity(
        con, AWARDS_ENTITY, str(file), records, file_error, organization_id,
        table=AWARDS_TABLE, problem=award_problem, kind="gamification_awards",
    )


def award_problem(value: Any) -> str | None:
    """Why an award object cannot land, or None."""
    basic = _problem(value)  # a JSON object with an id, and a parseable updated_at when present
    if basic:
        return basic
    for field in ("badge_id", "student_id"):
        text = value.get(field)
        if not isinstance(text, str) or not text.strip():
            return f"missing or empty {field}"
    if parse_utc(value.get("awarded_at")) is None:
        return f"awarded_at is not an ISO-8601 timestamp: {value.get('awarded_at')!r}"
    return None
