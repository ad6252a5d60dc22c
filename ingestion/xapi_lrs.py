"""Fetch xAPI statements from a learning record store (LRS) and land them like any event file.

`GET {endpoint}/statements` with `X-Experience-API-Version: 1.0.3`, basic auth (`LMS_XAPI_USERNAME`,
`LMS_XAPI_PASSWORD`) or a bearer token (`LMS_XAPI_TOKEN`), following `more` until it is empty. `since` is
the latest `stored` instant already landed from the same endpoint, so a repeated run asks only for new
statements. Statements land only after every page arrived (one batch), through the same conversion,
validation and de-duplication (by statement id) as `ingest events`. Retries: `ingestion.http_fetch`.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb
import httpx

from ingestion.batches import BatchResult
from ingestion.errors import IngestError
from ingestion.events import ingest_event_texts
from ingestion.http_fetch import Fetcher, FetchError, RetryPolicy, open_client, read_object, run_sync
from ingestion.landing import LANDING_SCHEMA

XAPI_VERSION = "1.0.3"
USERNAME_ENV, PASSWORD_ENV, TOKEN_ENV = "LMS_XAPI_USERNAME", "LMS_XAPI_PASSWORD", "LMS_XAPI_TOKEN"
DEFAULT_PAGE_SIZE = 500


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


def last_stored(con: duckdb.DuckDBPyConnection, source: str, organization_id: str = "default") -> str | None:
    """The latest `stored` instant landed (or rejected) from `source` for the organization, as ISO-8601 UTC with
    'Z'. Per organization: another tenant's pull of the same LRS does not advance this one's watermark."""
    row = con.execute(
        f"""
        select max(stored) from (
            select try_cast(json_extract_string(raw_json, '$.stored') as timestamptz) as stored
            from {LANDING_SCHEMA}.lms_events where source_file = $source and organization_id = $org
            union all
            select try_cast(json_extract_string(raw_text, '$.stored') as timestamptz)
            from {LANDING_SCHEMA}.lms_event_rejects
            where source_file = $source and organization_id = $org and json_valid(raw_text)
        )
        """,
        {"source": source, "org": organization_id},
    ).fetchone()
    latest: datetime | None = row[0] if row else None
    if latest is None:
        return None
    return latest.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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
) -> BatchResult:
    """Fetch the statements stored since the last run and land them as one batch sourced from the endpoint."""
    say = progress or (lambda _line: None)
    source = statements_url(endpoint)
    since = last_stored(con, source, organization_id)
    say(f"fetching statements from {source}" + (f" stored after {since}" if since else ""))
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
