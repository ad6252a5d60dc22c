"""A small client for a Unified.to-style LMS API: bearer auth, limit/offset paging, retries.

`GET {base}/lms/{connection_id}/{entity}?limit=&offset=` returns a bare JSON array. Connection errors,
timeouts and 5xx answers are retried with exponential backoff and jitter; a 429 waits for its
Retry-After. Every failure that remains is an IngestError naming the URL.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from ingestion.errors import IngestError

Sleep = Callable[[float], None]


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    timeout_seconds: float = 10.0
    backoff_seconds: float = 0.5  # first backoff; doubles per attempt, plus up to as much again of jitter
    backoff_cap_seconds: float = 8.0
    retry_after_cap_seconds: float = 120.0  # a server asking for longer is not waited for blindly
    sleep: Sleep | None = None  # None: time.sleep, looked up at call time so tests may patch it

    def pause(self, seconds: float) -> None:
        (self.sleep or time.sleep)(seconds)

    def backoff(self, attempt: int) -> float:
        delay = min(self.backoff_cap_seconds, self.backoff_seconds * 2 ** (attempt - 1))
        return delay + random.uniform(0, delay)


def entity_url(base_url: str, connection_id: str, entity: str) -> str:
    return f"{base_url.rstrip('/')}/lms/{connection_id}/{entity}"


def fetch_all(
    client: httpx.Client, url: str, *, token: str | None, page_size: int, policy: RetryPolicy
) -> list[dict[str, Any]]:
    """Every object behind a paged endpoint; a page shorter than `page_size` is the last one."""
    if page_size < 1:
        raise IngestError(f"page size must be at least 1, got {page_size}")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    records: list[dict[str, Any]] = []
    while True:
        page = _fetch_page(client, url, {"limit": page_size, "offset": len(records)}, headers, policy)
        records.extend(page)
        # A short page is the last; a longer one means the server ignores paging and sent everything.
        if len(page) != page_size:
            return records


def _fetch_page(
    client: httpx.Client, url: str, params: dict[str, int], headers: dict[str, str], policy: RetryPolicy
) -> list[dict[str, Any]]:
    where = f"{url}?limit={params['limit']}&offset={params['offset']}"
    return _parse_page(get_with_retries(client, url, params=params, headers=headers, policy=policy, where=where), where)


def get_with_retries(
    client: httpx.Client,
    url: str,
    *,
    params: Mapping[str, Any] | None,
    headers: Mapping[str, str],
    policy: RetryPolicy,
    where: str | None = None,
) -> httpx.Response:
    """The first answer that is neither a 5xx nor a 429 (nor a connection error or timeout), retried per policy."""
    where = where or url
    problem = ""
    for attempt in range(1, policy.max_attempts + 1):
        try:
            response = client.get(url, params=params, headers=headers, timeout=policy.timeout_seconds)
        except httpx.TransportError as exc:
            problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            wait = policy.backoff(attempt)
        else:
            if response.status_code == 429:
                problem = "HTTP 429 Too Many Requests"
                wait = _retry_after(response, policy) or policy.backoff(attempt)
            elif response.status_code >= 500:
                problem = f"HTTP {response.status_code}"
                wait = policy.backoff(attempt)
            else:
                return response
        if attempt < policy.max_attempts:
            policy.pause(wait)
    raise IngestError(f"GET {where} failed after {policy.max_attempts} attempts ({problem}); retry later")


def _parse_page(response: httpx.Response, where: str) -> list[dict[str, Any]]:
    if response.status_code in (401, 403):
        raise IngestError(f"GET {where} was refused (HTTP {response.status_code}); check the API token")
    if response.status_code >= 400:
        raise IngestError(f"GET {where} failed with HTTP {response.status_code}; check the URL and connection id")
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
        raise IngestError(f"GET {where} returned a malformed body (expected a JSON array of objects)")
    return body


def _retry_after(response: httpx.Response, policy: RetryPolicy) -> float | None:
    """Retry-After in seconds, from either of its forms (delta-seconds or an HTTP date)."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), policy.retry_after_cap_seconds)
