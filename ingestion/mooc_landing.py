"""Landing of the MOOC export, Open edX and H5P APIs: `landing.mooc_records` and `landing.http_fetch_log`.

`mooc_records` is an append-only history: a record lands as a new version only when its content
(canonical JSON md5) differs from the latest stored version of the same
(organization_id, source, entity, course_id, user_id); re-fetching identical content adds nothing.
`http_fetch_log` has one row per HTTP request outcome. Each course lands in one transaction, its
log rows with it, so a course is either wholly landed or not at all. The statements are
`ingestion/sql/mooc/*.sql`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb

from ingestion.landing import ensure_mooc_tables
from ingestion.sql_files import registered, statement

if TYPE_CHECKING:
    import httpx

    from ingestion.http_fetch import Fetcher, Outcome, RetryPolicy

# The statements, in the order a course lands (ingestion/sql/mooc/).
_LATEST_VERSIONS = "mooc/latest_versions"
_INSERT_RECORDS = "mooc/insert_records"
_INSERT_FETCH_LOG = "mooc/insert_fetch_log"


@dataclass(frozen=True)
class SourceRecord:
    """One record to land: its key, the export-shape record, and the text exactly as served."""

    entity: str
    user_id: str
    record: dict[str, Any]
    raw_json: str
    url: str
    organization_id: str | None = None  # the record's own tenant, when it names one


def own_organization(*values: Any) -> str | None:
    """The first non-blank `organization_id` the served values carry (the record's own tenant)."""
    for value in values:
        org = value.get("organization_id") if isinstance(value, dict) else None
        if isinstance(org, str) and org.strip():
            return org.strip()
    return None


@dataclass(frozen=True)
class LogRow:
    outcome: Outcome
    course_id: str | None
    user_id: str | None


@dataclass(frozen=True)
class LandCounts:
    new: int = 0
    unchanged: int = 0  # identical to the latest stored version
    repeated: int = 0  # the same key served again in this fetch (the first one counts)

    def __add__(self, other: LandCounts) -> LandCounts:
        return LandCounts(self.new + other.new, self.unchanged + other.unchanged, self.repeated + other.repeated)

    @property
    def received(self) -> int:
        return self.new + self.unchanged + self.repeated


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def raw_text(value: Any) -> str:
    """A served JSON value as text (key order as served)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def land_course(
    con: duckdb.DuckDBPyConnection,
    *,
    source: str,
    course_id: str,
    records: Sequence[SourceRecord],
    log: Sequence[LogRow],
    organization_id: str,
    batch_id: str,
    fetched_at: datetime,
) -> LandCounts:
    """One transaction: the course's changed records and its fetch log rows."""
    run = {"source": source, "batch_id": batch_id, "fetched_at": fetched_at}
    con.execute("begin transaction")
    try:
        counts = _insert_versions(con, records, organization_id, {**run, "course_id": course_id})
        _insert_log(con, log, {**run, "organization": organization_id})
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return counts


def _insert_versions(
    con: duckdb.DuckDBPyConnection, records: Sequence[SourceRecord], organization_id: str, course: dict[str, Any]
) -> LandCounts:
    if not records:
        return LandCounts()
    tenants = sorted({item.organization_id or organization_id for item in records})
    lookup = {"tenants": tenants, "source": course["source"], "course_id": course["course_id"]}
    latest = {
        (org, entity, user_id): content_hash
        for org, entity, user_id, content_hash in con.execute(statement(_LATEST_VERSIONS), lookup).fetchall()
    }
    seen: set[tuple[str, str, str]] = set()
    rows: list[tuple[Any, ...]] = []
    unchanged = repeated = 0
    for item in records:
        org = item.organization_id or organization_id
        key = (org, item.entity, item.user_id)
        if key in seen:
            repeated += 1
            continue
        seen.add(key)
        record_json = canonical_json(item.record)
        content_hash = hashlib.md5(record_json.encode("utf-8")).hexdigest()
        if latest.get(key) == content_hash:
            unchanged += 1
            continue
        rows.append((org, item.entity, item.user_id, record_json, item.raw_json, content_hash, item.url))
    _insert_rows(con, _INSERT_RECORDS, "_mooc_landing_records", _RECORD_COLUMNS, rows, course)
    return LandCounts(len(rows), unchanged, repeated)


def _insert_log(con: duckdb.DuckDBPyConnection, log: Sequence[LogRow], run: dict[str, Any]) -> None:
    rows = [
        (row.course_id, row.user_id, row.outcome.url, row.outcome.status_code, row.outcome.ok, row.outcome.reason,
         row.outcome.records)
        for row in log
    ]
    _insert_rows(con, _INSERT_FETCH_LOG, "_mooc_landing_log", _LOG_COLUMNS, rows, run)


# The columns each insert reads from Python; the ones common to a course are parameters of the statement.
_RECORD_COLUMNS = ("organization_id", "entity", "user_id", "record_json", "raw_json", "content_hash", "url")
_LOG_COLUMNS = ("course_id", "user_id", "url", "status_code", "ok", "reason", "records")


def _insert_rows(
    con: duckdb.DuckDBPyConnection,
    name: str,
    view: str,
    columns: tuple[str, ...],
    rows: list[tuple[Any, ...]],
    parameters: dict[str, Any],
) -> None:
    """One insert from an Arrow table (row-by-row inserts are slow in DuckDB), which the statement reads as `view`."""
    import pyarrow as pa  # imported here so that importing the ingestion package stays cheap

    if not rows:
        return
    with registered(con, view, pa.table({column: [row[i] for row in rows] for i, column in enumerate(columns)})):
        con.execute(statement(name), parameters)


@dataclass(frozen=True)
class FetchRunResult:
    """What one `ingest mooc` / `ingest h5p` run fetched, landed and failed."""

    source: str
    batch_id: str
    courses: tuple[str, ...]
    failed_courses: tuple[str, ...]
    users: int  # distinct users with a record received
    counts: LandCounts
    requests: int
    failures: tuple[LogRow, ...]  # the failed requests, in order
    notes: tuple[str, ...] = ()

    @property
    def failed_requests(self) -> int:
        return len(self.failures)

    @property
    def failed_users(self) -> int:
        return len({(row.course_id, row.user_id) for row in self.failures if row.user_id is not None})

    def failure_lines(self, limit: int = 5) -> list[str]:
        return [
            f"{row.course_id}{'/' + row.user_id if row.user_id else ''}: {row.outcome.url} "
            f"(status {row.outcome.status_code}): {row.outcome.reason}"
            for row in self.failures[:limit]
        ]

    def summary(self) -> str:
        return (
            f"{self.source}: {len(self.courses) - len(self.failed_courses)}/{len(self.courses)} courses, "
            f"{self.users:,} users fetched; records {self.counts.received:,} = new {self.counts.new:,} "
            f"+ unchanged {self.counts.unchanged:,} + repeated {self.counts.repeated:,}; "
            f"{self.requests:,} requests, {self.failed_requests:,} failed (batch {self.batch_id})"
        )


Clock = Callable[[], datetime]
Progress = Callable[[str], None]
CourseFetch = Callable[[str, Callable[[LogRow], None]], Awaitable[list[SourceRecord]]]


async def fetch_and_land_courses(
    con: duckdb.DuckDBPyConnection,
    *,
    source: str,
    course_ids: Sequence[str],
    fetch_course: CourseFetch,
    organization_id: str,
    clock: Clock,
    progress: Progress | None = None,
) -> FetchRunResult:
    """Fetch each course then land it in its own transaction; a course that fails lands only its log rows."""
    from ingestion.batches import new_batch_id
    from ingestion.http_fetch import FetchError, Outcome

    ensure_mooc_tables(con)
    batch_id = new_batch_id()
    counts, failures, failed_courses, users, requests = LandCounts(), [], [], set(), 0
    for course_id in dict.fromkeys(course_ids):  # a course named twice is fetched once
        log: list[LogRow] = []
        try:
            records = await fetch_course(course_id, log.append)
        except FetchError as exc:
            records = []
            failed_courses.append(course_id)
            if not any(not row.outcome.ok for row in log):  # a failure no request outcome recorded yet
                log.append(LogRow(Outcome(exc.url, exc.status_code, False, exc.reason, 0), course_id, None))
        landed = land_course(con, source=source, course_id=course_id, records=records, log=log,
                             organization_id=organization_id, batch_id=batch_id, fetched_at=clock())
        counts += landed
        requests += len(log)
        failures.extend(row for row in log if not row.outcome.ok)
        users.update((course_id, r.user_id) for r in records)
        if progress is not None:
            failed_here = [row for row in log if not row.outcome.ok]
            state = f"FAILED ({failed_here[-1].outcome.reason})" if course_id in failed_courses else "ok"
            progress(f"{source} {course_id}: {state}; {len(records):,} records received (new {landed.new:,}), "
                     f"{len(log):,} requests, {len(failed_here):,} failed")
    return FetchRunResult(source, batch_id, tuple(dict.fromkeys(course_ids)), tuple(failed_courses), len(users),
                          counts, requests, tuple(failures))


def fetch_and_land_over_http(
    con: duckdb.DuckDBPyConnection,
    *,
    source: str,
    course_ids: Sequence[str],
    course_fetch_for: Callable[[Fetcher], CourseFetch],
    token: str | None,
    token_env: str,
    policy: RetryPolicy | None,
    client: httpx.AsyncClient | None,
    transport: httpx.AsyncBaseTransport | None,
    organization_id: str,
    clock: Clock,
    progress: Progress | None,
) -> FetchRunResult:
    """Open the HTTP client (the caller's, or one over `transport`), then fetch and land each course.

    The bearer token is `token`, else the environment variable `token_env`."""
    import os

    from ingestion.http_fetch import Fetcher, RetryPolicy, open_client, run_sync

    retry = policy or RetryPolicy()
    bearer = token if token is not None else os.environ.get(token_env)

    async def run() -> FetchRunResult:
        async with open_client(client, transport, retry) as http:
            return await fetch_and_land_courses(
                con, source=source, course_ids=course_ids,
                fetch_course=course_fetch_for(Fetcher(http, token=bearer, policy=retry)),
                organization_id=organization_id, clock=clock, progress=progress,
            )

    return run_sync(run())
