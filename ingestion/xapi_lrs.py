"""Fetch xAPI statements from a learning record store (LRS) and land them like any event file.

`GET {endpoint}/statements` with `X-Experience-API-Version: 1.0.3`, basic auth (`LMS_XAPI_USERNAME`,
`LMS_XAPI_PASSWORD`) or a bearer token (`LMS_XAPI_TOKEN`), following `more` until it is empty. `since` is
the latest `stored` instant already landed from the same endpoint, so a repeated run asks only for new
statements. Statements land only after every page arrived (one batch), through the same conversion,
validation and de-duplication (by statement id) as `ingest events`. Retries as for the catalog API.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import duckdb
import httpx

from ingestion.batches import BatchResult
from ingestion.errors import IngestError
from ingestion.events import ingest_event_texts
from ingestion.landing import LANDING_SCHEMA
from ingestion.unified_api import RetryPolicy, get_with_retries

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


def fetch_statements(
    client: httpx.Client,
    endpoint: str,
    *,
    auth: LrsAuth,
    since: str | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    policy: RetryPolicy | None = None,
) -> list[dict[str, Any]]:
    """Every statement stored after `since` (all when None), following `more` until it is empty."""
    policy = policy or RetryPolicy()
    url: str | None = statements_url(endpoint)
    params: dict[str, Any] | None = {"limit": page_size, **({"since": since} if since else {})}
    headers = auth.headers()
    statements: list[dict[str, Any]] = []
    seen: set[str] = set()
    while url:
        if url in seen:
            raise IngestError(f"the LRS at {endpoint} sent the same `more` link twice ({url}); stopping")
        seen.add(url)
        response = get_with_retries(client, url, params=params, headers=headers, policy=policy)
        page, more = _parse_result(response, url)
        statements.extend(page)
        # `more` is relative to the LRS's root (xAPI 1.0.3, 2.1.3), e.g. '/xapi/statements?cursor=...'
        url, params = (urljoin(endpoint, more) if more else None), None
    return statements


def _parse_result(response: httpx.Response, url: str) -> tuple[list[dict[str, Any]], str]:
    if response.status_code in (401, 403):
        raise IngestError(
            f"GET {url} was refused (HTTP {response.status_code}); check {USERNAME_ENV}/{PASSWORD_ENV} or {TOKEN_ENV}"
        )
    if response.status_code >= 400:
        raise IngestError(f"GET {url} failed with HTTP {response.status_code}; check the --endpoint URL")
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("statements"), list):
        raise IngestError(f"GET {url} returned a malformed body (expected a StatementResult with `statements`)")
    more = body.get("more") or ""
    if not isinstance(more, str):
        raise IngestError(f"GET {url} returned a `more` that is not a URL text")
    return body["statements"], more


def last_stored(con: duckdb.DuckDBPyConnection, source: str) -> str | None:
    """The latest `stored` instant landed (or rejected) from `source`, as ISO-8601 UTC with 'Z'."""
    row = con.execute(
        f"""
        select max(stored) from (
            select try_cast(json_extract_string(raw_json, '$.stored') as timestamptz) as stored
            from {LANDING_SCHEMA}.lms_events where source_file = $source
            union all
            select try_cast(json_extract_string(raw_text, '$.stored') as timestamptz)
            from {LANDING_SCHEMA}.lms_event_rejects where source_file = $source and json_valid(raw_text)
        )
        """,
        {"source": source},
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
    client: httpx.Client | None = None,
    policy: RetryPolicy | None = None,
    progress: Callable[[str], None] | None = None,
) -> BatchResult:
    """Fetch the statements stored since the last run and land them as one batch sourced from the endpoint."""
    say = progress or (lambda _line: None)
    source = statements_url(endpoint)
    since = last_stored(con, source)
    say(f"fetching statements from {source}" + (f" stored after {since}" if since else ""))
    owned = client is None
    http = client or httpx.Client(follow_redirects=True)
    try:
        statements = fetch_statements(
            http, endpoint, auth=auth or LrsAuth.from_env(), since=since, page_size=page_size, policy=policy
        )
    except httpx.HTTPError as exc:
        raise IngestError(f"GET {source} failed ({type(exc).__name__}: {exc}); check the --endpoint URL") from exc
    finally:
        if owned:
            http.close()
    say(f"received {len(statements):,} statement(s)")
    texts = [json.dumps(statement, ensure_ascii=False) for statement in statements]
    return ingest_event_texts(con, texts, source=source, organization_id=organization_id, progress=progress)
