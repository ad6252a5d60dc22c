"""The real Open edX REST APIs as the alternative MOOC source (`ingest mooc --api openedx`).

- enrollments `GET /api/enrollment/v1/enrollments?course_id=` (cursor pages of `{created, mode, is_active,
  user, course_id}`)
- grades `GET /api/grades/v1/courses/{course}/` (`{username, email, course_id, passed, percent,
  letter_grade}`; a bare array on older servers, pages on newer ones)
- completion `GET /api/completion/v1/course/{course}/` (`{username, completion: {earned, possible, percent}}`)
- discussion threads `GET /api/discussion/v1/threads/?course_id=` (`{author, type, vote_count, ...}`)

Completion and discussion are optional plugins: a 404 there means "not offered", logged, not a failure.
Users are keyed by username on these APIs; each gets the stable id `oex-` + the first 16 hex digits of
salted_sha256(username) (salt $LMS_PSEUDONYM_SALT). The username stays only inside the landed records.
Records are converted to the export-API shape (see `ingestion.mooc_export.EXPORT_SHAPES`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb

from ingestion.batches import utc_now
from ingestion.http_fetch import Fetcher, FetchError, Outcome, RetryPolicy, join_url
from ingestion.mooc_export import TOKEN_ENV, course_url, export_record
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
from ingestion.xapi import salted_sha256

if TYPE_CHECKING:
    import httpx

SOURCE = "openedx"
SALT_ENV = "LMS_PSEUDONYM_SALT"
ENROLLMENTS = "api/enrollment/v1/enrollments"
GRADES = "api/grades/v1/courses/{course}/"
COMPLETION = "api/completion/v1/course/{course}/"
THREADS = "api/discussion/v1/threads/"


def openedx_user_id(username: str, salt: str) -> str:
    return "oex-" + salted_sha256(username, salt)[:16]


def ingest_openedx(
    con: duckdb.DuckDBPyConnection,
    base_url: str,
    course_ids: Sequence[str],
    *,
    token: str | None = None,
    pseudonym_salt: str | None = None,
    organization_id: str = "default",
    clock: Callable[[], datetime] = utc_now,
    client: httpx.AsyncClient | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    policy: RetryPolicy | None = None,
    progress: Progress | None = None,
) -> FetchRunResult:
    """Fetch and land every course (token: `token`, else $LMS_MOOC_TOKEN; salt: else $LMS_PSEUDONYM_SALT)."""
    salt = pseudonym_salt if pseudonym_salt is not None else os.environ.get(SALT_ENV, "")

    def course_fetch_for(fetcher: Fetcher) -> CourseFetch:
        return lambda course_id, log: fetch_openedx_course(fetcher, base_url, course_id, log, salt)

    return fetch_and_land_over_http(
        con, source=SOURCE, course_ids=course_ids, course_fetch_for=course_fetch_for, token=token,
        token_env=TOKEN_ENV, policy=policy, client=client, transport=transport, organization_id=organization_id,
        clock=clock, progress=progress,
    )


async def fetch_openedx_course(
    fetcher: Fetcher, base_url: str, course_id: str, log: Callable[[LogRow], None], salt: str
) -> list[SourceRecord]:
    def note(outcome: Outcome) -> None:
        log(LogRow(outcome, course_id, None))

    records: list[SourceRecord] = []
    enrollments = await fetcher.get_pages(join_url(base_url, ENROLLMENTS), {"course_id": course_id}, note=note)
    for url, value in enrollments:
        username = _username(value.get("user"), url, "an enrollment")
        uid = openedx_user_id(username, salt)
        record = export_record("enrollment", {**value, "username": username}, uid)
        records.append(SourceRecord("enrollment", uid, record, raw_text(value), url, own_organization(value)))
    for url, value in await fetcher.get_pages(course_url(base_url, GRADES, course_id), note=note):
        uid = openedx_user_id(_username(value.get("username"), url, "a grade"), salt)
        records.append(SourceRecord("grade", uid, export_record("grade", value, uid), raw_text(value), url,
                                    own_organization(value)))
    completion = await fetcher.get_optional_pages(course_url(base_url, COMPLETION, course_id), note=note)
    for url, value in completion or []:
        uid = openedx_user_id(_username(value.get("username"), url, "a completion"), salt)
        records.append(SourceRecord("progress", uid, _progress(value, uid, url), raw_text(value), url,
                                    own_organization(value)))
    threads = await fetcher.get_optional_pages(join_url(base_url, THREADS), {"course_id": course_id}, note=note)
    records.extend(_discussions(threads or [], salt))
    return records


def _progress(value: Mapping[str, Any], uid: str, url: str) -> dict[str, Any]:
    """completion {earned, possible, percent (0..1)} -> blocks done / total, progress 0..100, rate 0..1."""
    completion = value.get("completion")
    if not isinstance(completion, dict):
        raise FetchError(url, "malformed body: a completion record has no 'completion' object")
    percent = _number(completion.get("percent"))
    return export_record("progress", {
        "total_blocks": _whole(completion.get("possible")),
        "completed_blocks": _whole(completion.get("earned")),
        "progress_percent": None if percent is None else round(percent * 100, 6),
        "completion_rate": percent,
    }, uid)


def _discussions(threads: list[tuple[str, dict[str, Any]]], salt: str) -> list[SourceRecord]:
    """One record per thread author: threads, questions (type 'question') and upvotes of their threads.

    The thread listing does not say which comments a learner wrote, so comments_count and
    total_interactions stay null. Anonymous threads (no author) are attributed to nobody."""
    by_author: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for url, thread in threads:
        author = thread.get("author")
        if isinstance(author, str) and author.strip():
            by_author.setdefault(author.strip(), []).append((url, thread))
    records = []
    for author, items in by_author.items():
        uid = openedx_user_id(author, salt)
        served = [thread for _, thread in items]
        record = export_record("discussion", {
            "threads_count": len(served),
            "comments_count": None,
            "questions_count": sum(1 for thread in served if thread.get("type") == "question"),
            "total_upvotes": sum(_number(thread.get("vote_count")) or 0 for thread in served),
        }, uid)
        records.append(SourceRecord("discussion", uid, record, raw_text(served), items[0][0],
                                    own_organization(*served)))
    return records


def _username(value: Any, url: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FetchError(url, f"malformed body: {what} record has no username ({value!r})")
    return value.strip()


def _number(value: Any) -> float | int | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _whole(value: Any) -> int | float | None:
    number = _number(value)
    return int(number) if isinstance(number, float) and number.is_integer() else number
