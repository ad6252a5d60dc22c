"""Fetch xAPI statements from a learning record store (LRS) and land them like any event file.

`GET {endpoint}/statements` with `X-Experience-API-Version: 1.0.3`, basic auth (`LMS_XAPI_USERNAME`,
`LMS_XAPI_PASSWORD`) or a bearer token (`LMS_XAPI_TOKEN`), following `more` until it is empty. Statements
land only after every page arrived (one batch), through the same conversion, validation and de-duplication
(by statement id) as `ingest events`. Retries: `ingestion.http_fetch`.

`since`: the xAPI spec filters it on `stored`, but Ralph (the Open edX LRS) filters it on the statement's
`timestamp`, so a statement stored late with an older timestamp (an offline client syncing a day later) is
behind a `since` taken from what was landed. A pull therefore asks from the latest value of the field the LRS
filters on (var `xapi_since_field`: `timestamp`, Ralph's, by default) landed from that endpoint for the
organization, minus an overlap (var `xapi_since_overlap_days`, 7): the overlap is read again and only what is
missing lands (statement ids make a re-read a duplicate). A statement later than the overlap is caught by a
full pull (`full=True`, `ingest xapi --full`), which reads everything and lands only what is missing.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import httpx

from ingestion.batches import BatchResult
from ingestion.errors import IngestError
from ingestion.events import ingest_event_texts
from ingestion.http_fetch import Fetcher, FetchError, RetryPolicy, open_client, read_object, run_sync
from ingestion.project_vars import project_var
from ingestion.sql_files import statement

XAPI_VERSION = "1.0.3"
USERNAME_ENV, PASSWORD_ENV, TOKEN_ENV = "LMS_XAPI_USERNAME", "LMS_XAPI_PASSWORD", "LMS_XAPI_TOKEN"
DEFAULT_PAGE_SIZE = 500
SINCE_FIELDS = ("timestamp", "stored")
SINCE_FIELD_VAR, OVERLAP_VAR = "xapi_since_field", "xapi_since_overlap_days"


@dataclass(frozen=True)
class PullWindow:
    """Where an incremental pull starts: `overlap` before the latest `since_field` landed; `full` reads all."""

    since_field: str
    overlap: timedelta
    full: bool = False

    @classmethod
    def from_settings(cls, *, full: bool = False, since_field: str | None = None,
                      overlap_days: float | None = None) -> PullWindow:
        """The given values, else the project's vars (dbt_project.yml)."""
        field = since_field or project_var(SINCE_FIELD_VAR)
        if field not in SINCE_FIELDS:
            raise IngestError(f"xAPI since field must be one of {', '.join(SINCE_FIELDS)} (got {field!r}); "
                              f"fix vars.{SINCE_FIELD_VAR} or --since-field")
        days = project_var(OVERLAP_VAR) if overlap_days is None else overlap_days
        if isinstance(days, bool) or not isinstance(days, int | float) or days < 0:
            raise IngestError(f"xAPI overlap must be a number of days >= 0 (got {days!r}); "
                              f"fix vars.{OVERLAP_VAR} or --overlap-days")
        return cls(field, timedelta(days=days), full)


@dataclass(frozen=True)
class LrsAuth:
    username: str | None = None
    password: str | None = None
    token: str | None = None

    @classmethod
    def from_env(cls) -> LrsAuth:
        return cls(os.environ.get(USERNAME_ENV), os.environ.get(PASSWORD_ENV), os.environ.get(TOKEN_ENV))

    def headers(self) -> dict[str, str]:
        """The version header, and basic auth when a username is set, else the bearer token if any."""
        headers = {"X-Experience-API-Version": XAPI_VERSION}
        if self.username:
            credentials = base64.b64encode(f"{self.username}:{self.password or ''}".encode()).decode("ascii")
            headers["Authorization"] = f"Basic {credentials}"
        elif self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers


def statements_url(endpoint: str) -> str:
    return endpoint.rstrip("/") + "/statements"


async def fetch_statements(
    fetcher: Fetcher, endpoint: str, *, since: str | None = None, page_size: int = DEFAULT_PAGE_SIZE
) -> list[dict[str, Any]]:
    """Every statement stored after `since` (all when None), following `more` until it is empty."""
    params = {"limit": page_size, **({"since": since} if since else {})}
    url: str | None = str(httpx.URL(statements_url(endpoint), params=params))
    statements: list[dict[str, Any]] = []
    seen: set[str] = set()
    while url:
        if url in seen:
            raise FetchError(url, "pagination loop: the LRS sent the same `more` link twice")
        seen.add(url)
        answer = await fetcher.get_json(url)
        body = read_object(answer.body, answer.url, list_key="statements")
        statements.extend(body["statements"])
        more = body.get("more") or ""
        if not isinstance(more, str):
            raise FetchError(answer.url, f"malformed body: 'more' is not a URL: {more!r}")
        # `more` is relative to the LRS's root (xAPI 1.0.3, part 3, 2.1.3), e.g. '/xapi/statements?cursor=...'
        url = str(httpx.URL(answer.url).join(more)) if more.strip() else None
    return statements


def watermark(
    con: duckdb.DuckDBPyConnection, source: str, organization_id: str = "default", field: str = "stored"
) -> datetime | None:
    """The latest `field` (`stored` or `timestamp`) of the statements landed (or rejected) from `source` for the
    organization, in UTC. Per organization: another tenant's pull of the same LRS does not move it."""
    if field not in SINCE_FIELDS:
        raise ValueError(f"field must be one of {SINCE_FIELDS}, got {field!r}")
    row = con.execute(statement("xapi/latest_instant_landed"),
                      {"field": field, "source": source, "organization": organization_id}).fetchone()
    latest: datetime | None = row[0] if row else None
    return latest.astimezone(UTC) if latest is not None else None


def xapi_instant(instant: datetime) -> str:
    """ISO-8601 UTC with 'Z', as LRSs expect `since`."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def ingest_lrs(
    con: duckdb.DuckDBPyConnection,
    endpoint: str,
    *,
    auth: LrsAuth | None = None,
    organization_id: str = "default",
    page_size: int = DEFAULT_PAGE_SIZE,
    client: httpx.AsyncClient | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    policy: RetryPolicy | None = None,
    progress: Callable[[str], None] | None = None,
    window: PullWindow | None = None,
) -> BatchResult:
    """Fetch the statements new since the last pull (with the window's overlap, or all of them for a full pull)
    and land what is missing as one batch sourced from the endpoint."""
    say = progress or (lambda _line: None)
    source = statements_url(endpoint)
    window = window or PullWindow.from_settings()
    latest = None if window.full else watermark(con, source, organization_id, window.since_field)
    since = xapi_instant(latest - window.overlap) if latest is not None else None
    if since:
        days = window.overlap / timedelta(days=1)
        say(f"fetching statements from {source} since {since} ({days:g} day(s) before the latest "
            f"{window.since_field} landed; re-read statements count as duplicates)")
    else:
        say(f"fetching every statement from {source}" + (" (full pull)" if window.full else ""))
    try:
        statements = run_sync(_fetch(endpoint, auth or LrsAuth.from_env(), since, page_size, client, transport,
                                     policy or RetryPolicy()))
    except FetchError as exc:
        if exc.status_code in (401, 403):
            raise IngestError(f"GET {exc.url} was refused (HTTP {exc.status_code}); check "
                              f"{USERNAME_ENV}/{PASSWORD_ENV} or {TOKEN_ENV}") from None
        raise
    say(f"received {len(statements):,} statement(s)")
    texts = [json.dumps(statement, ensure_ascii=False) for statement in statements]
    return ingest_event_texts(con, texts, source=source, organization_id=organization_id, progress=progress)


async def _fetch(
    endpoint: str,
    auth: LrsAuth,
    since: str | None,
    page_size: int,
    client: httpx.AsyncClient | None,
    transport: httpx.AsyncBaseTransport | None,
    policy: RetryPolicy,
) -> list[dict[str, Any]]:
    async with open_client(client, transport, policy) as http:
        fetcher = Fetcher(http, token=None, policy=policy)
        fetcher.headers = auth.headers()
        return await fetch_statements(fetcher, endpoint, since=since, page_size=page_size)
