"""The MOOC export API: enrollments with attributes, grades, progress and discussions per course.

`export/complete-student-data/{course}/` is used when it answers: one row per user, the four blocks
nested as `enrollment`, `grades`, `progress`, `discussions`, split here into four records. When it
answers 404 (not offered), the four endpoints are read instead. Every list is paginated (any style of
`ingestion.http_fetch`). A course lands whole or not at all; the other courses go on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import duckdb

from ingestion.batches import utc_now
from ingestion.http_fetch import Fetcher, FetchError, Outcome, RetryPolicy, join_url
from ingestion.mooc_landing import (
    CourseFetch,
    FetchRunResult,
    LogRow,
    Progress,
    SourceRecord,
    fetch_and_land_over_http,
    own_organization,
    raw_text,
)

if TYPE_CHECKING:
    import httpx

SOURCE = "mooc_export"
TOKEN_ENV = "LMS_MOOC_TOKEN"

# The export-API shape of each entity: record_json holds exactly these fields (missing ones are null).
EXPORT_SHAPES: dict[str, tuple[str, ...]] = {
    "enrollment": ("user_id", "username", "email", "full_name", "enrollment_id", "mode", "is_active", "created",
                   "attributes"),
    "grade": ("user_id", "username", "email", "percent", "letter_grade", "passed"),
    "progress": ("user_id", "total_blocks", "completed_blocks", "progress_percent", "current_chapter",
                 "current_section", "current_unit", "completion_rate", "last_activity"),
    "discussion": ("user_id", "threads_count", "comments_count", "questions_count", "total_upvotes",
                   "total_interactions"),
}
ENDPOINTS: dict[str, str] = {
    "enrollment": "course-enrollments-attributes/{course}/",
    "grade": "export/student-grades/{course}/",
    "progress": "export/student-progress/{course}/",
    "discussion": "export/student-discussions/{course}/",
}
COMPLETE_ENDPOINT = "export/complete-student-data/{course}/"
COMPLETE_BLOCKS: dict[str, str] = {
    "enrollment": "enrollment", "grade": "grades", "progress": "progress", "discussion": "discussions"
}


def course_url(base_url: str, template: str, course_id: str) -> str:
    return join_url(base_url, template.format(course=quote(course_id, safe=":+@")))


def export_record(entity: str, value: Mapping[str, Any], user_id: Any) -> dict[str, Any]:
    """The record in the export shape: its own fields, nulls for missing ones, user_id as given."""
    record = {field: value.get(field) for field in EXPORT_SHAPES[entity]}
    record["user_id"] = user_id
    if entity == "discussion" and record["total_interactions"] is None:
        threads, comments = record["threads_count"], record["comments_count"]
        if _is_number(threads) and _is_number(comments):
            record["total_interactions"] = threads + comments
    return record


def user_key(value: Any, url: str, what: str) -> str:
    """A user_id as landing text; FetchError (malformed body) when the record has none."""
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip():
        raise FetchError(url, f"malformed body: {what} has no usable user_id ({value!r})")
    return str(value).strip()


def ingest_mooc_export(
    con: duckdb.DuckDBPyConnection,
    base_url: str,
    course_ids: Sequence[str],
    *,
    token: str | None = None,
    organization_id: str = "default",
    clock: Callable[[], datetime] = utc_now,
    client: httpx.AsyncClient | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    policy: RetryPolicy | None = None,
    progress: Progress | None = None,
) -> FetchRunResult:
    """Fetch and land every course (token: `token`, else $LMS_MOOC_TOKEN)."""
    def course_fetch_for(fetcher: Fetcher) -> CourseFetch:
        return lambda course_id, log: fetch_export_course(fetcher, base_url, course_id, log)

    return fetch_and_land_over_http(
        con, source=SOURCE, course_ids=course_ids, course_fetch_for=course_fetch_for, token=token,
        token_env=TOKEN_ENV, policy=policy, client=client, transport=transport, organization_id=organization_id,
        clock=clock, progress=progress,
    )


async def fetch_export_course(
    fetcher: Fetcher, base_url: str, course_id: str, log: Callable[[LogRow], None]
) -> list[SourceRecord]:
    """The course's records: from complete-student-data, or from the four endpoints when it answers 404."""

    def note(outcome: Outcome) -> None:
        log(LogRow(outcome, course_id, None))

    complete = await fetcher.get_optional_pages(course_url(base_url, COMPLETE_ENDPOINT, course_id), note=note)
    if complete is not None:
        return _split_complete_rows(complete)
    records: list[SourceRecord] = []
    for entity, template in ENDPOINTS.items():
        for url, value in await fetcher.get_pages(course_url(base_url, template, course_id), note=note):
            user_id = user_key(value.get("user_id"), url, f"a {entity} record")
            records.append(SourceRecord(entity, user_id, export_record(entity, value, value.get("user_id")),
                                        raw_text(value), url, own_organization(value)))
    return records


def _split_complete_rows(rows: list[tuple[str, dict[str, Any]]]) -> list[SourceRecord]:
    records: list[SourceRecord] = []
    for url, row in rows:
        raw = raw_text(row)
        for entity, block_name in COMPLETE_BLOCKS.items():
            block = row.get(block_name)
            if block is None:
                continue  # e.g. a learner without a grade yet
            if not isinstance(block, dict):
                raise FetchError(url, f"malformed body: '{block_name}' of a complete-student-data row is not an object")
            served_id = block.get("user_id") if block.get("user_id") is not None else row.get("user_id")
            user_id = user_key(served_id, url, f"a complete-student-data '{block_name}' block")
            records.append(SourceRecord(entity, user_id, export_record(entity, block, served_id), raw, url,
                                        own_organization(block, row)))
    return records


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
