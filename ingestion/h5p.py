"""The H5P API, called per enrolled user: scores, video progress and the dashboard of one course.

- `GET /scores/{user_id}/{course_id}` -> `{"scores": [...]}` (entity h5p_scores, the whole response)
- `GET /video-progress/{user_id}/{course_id}` -> `{"videos": [...]}` (entity h5p_video_progress)
- `GET /dashboard/{user_id}/{course_id}` -> `{overall_completion, ...}` (entity h5p_dashboard)

The users are those with an enrollment landed from the export API for the course (active or not), so
`ingest mooc` comes first. At most `concurrency` requests are in flight at once (default 8). A user
whose three answers did not all arrive lands nothing this run (the failure is logged); the other
users of the course land together in one transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import duckdb

from ingestion.batches import utc_now
from ingestion.http_fetch import Fetcher, FetchError, Outcome, RetryPolicy, join_url, read_object
from ingestion.mooc_landing import (
    CourseFetch,
    FetchRunResult,
    LogRow,
    Progress,
    SourceRecord,
    fetch_and_land_over_http,
    raw_text,
)
from ingestion.sql_files import statement

if TYPE_CHECKING:
    import httpx

SOURCE = "h5p"
TOKEN_ENV = "LMS_H5P_TOKEN"
DEFAULT_CONCURRENCY = 8
DASHBOARD_FIELDS = ("overall_completion", "total_items", "completed_items", "h5p_total_contents",
                    "video_total_videos")
# entity -> (path template, the list key the body must hold, or None for the dashboard object)
ENDPOINTS: dict[str, tuple[str, str | None]] = {
    "h5p_scores": ("scores/{user}/{course}", "scores"),
    "h5p_video_progress": ("video-progress/{user}/{course}", "videos"),
    "h5p_dashboard": ("dashboard/{user}/{course}", None),
}


def enrolled_users(con: duckdb.DuckDBPyConnection, course_id: str, organization_id: str) -> list[str]:
    """Users with an enrollment landed from the export API for the course (ever), in a stable order
    (ingestion/sql/h5p/enrolled_users.sql says why only the export API's)."""
    rows = con.execute(statement("h5p/enrolled_users"), {"organization": organization_id, "course_id": course_id})
    return [user_id for (user_id,) in rows.fetchall()]


def ingest_h5p(
    con: duckdb.DuckDBPyConnection,
    base_url: str,
    course_ids: Sequence[str],
    *,
    token: str | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    organization_id: str = "default",
    clock: Callable[[], datetime] = utc_now,
    client: httpx.AsyncClient | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    policy: RetryPolicy | None = None,
    progress: Progress | None = None,
) -> FetchRunResult:
    """Fetch and land H5P data of every enrolled user of each course (token: else $LMS_H5P_TOKEN)."""
    if concurrency < 1:
        raise FetchError(base_url, f"concurrency must be at least 1, got {concurrency}")
    limit = asyncio.Semaphore(concurrency)

    def course_fetch_for(fetcher: Fetcher) -> CourseFetch:
        async def fetch_course(course_id: str, log: Callable[[LogRow], None]) -> list[SourceRecord]:
            users = enrolled_users(con, course_id, organization_id)
            if not users and progress is not None:
                progress(f"h5p {course_id}: no export-API enrollments landed for this course "
                         "(run `ingest mooc --api export` first)")
            per_user = await asyncio.gather(
                *(_fetch_user(fetcher, limit, base_url, course_id, user_id, log) for user_id in users)
            )
            return [record for records in per_user for record in records]

        return fetch_course

    return fetch_and_land_over_http(
        con, source=SOURCE, course_ids=course_ids, course_fetch_for=course_fetch_for, token=token,
        token_env=TOKEN_ENV, policy=policy, client=client, transport=transport, organization_id=organization_id,
        clock=clock, progress=progress,
    )


async def _fetch_user(
    fetcher: Fetcher,
    limit: asyncio.Semaphore,
    base_url: str,
    course_id: str,
    user_id: str,
    log: Callable[[LogRow], None],
) -> list[SourceRecord]:
    """The user's three records, or none when any of the three failed (each failure is logged)."""

    async def fetch(entity: str) -> SourceRecord | None:
        template, list_key = ENDPOINTS[entity]
        url = join_url(base_url, template.format(user=quote(user_id, safe=""), course=quote(course_id, safe=":+@")))
        try:
            async with limit:
                answer = await fetcher.get_json(url)
            body = read_object(answer.body, answer.url, list_key=list_key)
        except FetchError as exc:
            log(LogRow(Outcome(exc.url, exc.status_code, False, exc.reason, 0), course_id, user_id))
            return None
        log(LogRow(Outcome(answer.url, answer.status_code, True, None, 1), course_id, user_id))
        return SourceRecord(entity, user_id, _record(entity, body), raw_text(body), answer.url)

    answers = await asyncio.gather(*(fetch(entity) for entity in ENDPOINTS))
    return [] if any(answer is None for answer in answers) else [a for a in answers if a is not None]


def _record(entity: str, body: dict[str, Any]) -> dict[str, Any]:
    if entity == "h5p_dashboard":
        return {field: body.get(field) for field in DASHBOARD_FIELDS}
    _template, list_key = ENDPOINTS[entity]
    return {str(list_key): body[str(list_key)]}
