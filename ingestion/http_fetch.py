"""Shared HTTP plumbing for every API source: retries, Retry-After, timeouts, pagination, validation.

One async retry loop (`Fetcher.get_json`) serves every client in `ingestion/`; the sync entry points of
each source run it with `run_sync`. Connection errors, timeouts and 5xx answers are retried with
exponential backoff and jitter; a 429 waits for its Retry-After; other 4xx fail at once. A body that
is not the JSON the caller expects is a failed fetch with a reason, never retried within the run.

`Fetcher.get_pages` follows the four pagination styles the APIs use:
- cursor: `{"next": URL|null, "results": [...]}` (optionally `count`, `previous`)
- namespaced: `{"pagination": {"next": URL|null, "count": n, ...}, "results": [...]}`
- flat: `{"count": n, "num_pages": n, "current_page": n, "results": [...]}` (next page = `?page=current+1`)
- a bare JSON array (one page holds everything)
`next` may be absolute or relative to the page it came from. A `next` already fetched is a pagination
loop and fails the fetch; a declared `count` that the pages do not add up to is a truncated response.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx

from ingestion.errors import IngestError

Sleep = Callable[[float], None]
NOT_OFFERED = "not offered (404)"
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    timeout_seconds: float = 10.0
    backoff_seconds: float = 0.5  # first backoff; doubles per attempt, plus up to as much again of jitter
    backoff_cap_seconds: float = 8.0
    retry_after_cap_seconds: float = 120.0  # a server asking for longer is not waited for blindly
    max_pages: int = 10_000  # a server inventing ever new `next` URLs is stopped here
    sleep: Sleep | None = None  # None: asyncio.sleep; a given function is called instead (tests record delays)

    async def pause(self, seconds: float) -> None:
        if self.sleep is not None:
            self.sleep(seconds)
        else:
            await asyncio.sleep(seconds)

    def backoff(self, attempt: int) -> float:
        delay = min(self.backoff_cap_seconds, self.backoff_seconds * 2 ** (attempt - 1))
        return delay + random.uniform(0, delay)


class FetchError(IngestError):
    """A request that failed for good: its URL, last HTTP status (None without an answer) and a short reason."""

    def __init__(self, url: str, reason: str, status_code: int | None = None, message: str | None = None):
        super().__init__(message or f"GET {url} failed: {reason}")
        self.url = url
        self.reason = reason
        self.status_code = status_code


@dataclass(frozen=True)
class Outcome:
    """One HTTP request's final outcome (after its retries), as `landing.http_fetch_log` records it."""

    url: str
    status_code: int | None
    ok: bool
    reason: str | None
    records: int


Note = Callable[[Outcome], None]


@dataclass(frozen=True)
class JsonAnswer:
    url: str
    status_code: int
    body: Any


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def join_url(base_url: str, path: str) -> str:
    return f"{base_url.rstrip('/')}/{path.lstrip('/')}"


class Fetcher:
    """Bound to one client, one bearer token and one retry policy."""

    def __init__(self, client: httpx.AsyncClient, *, token: str | None, policy: RetryPolicy):
        self.client = client
        self.headers = bearer(token)
        self.policy = policy

    async def get_json(self, url: str, params: Mapping[str, Any] | None = None) -> JsonAnswer:
        """The parsed JSON body of a 2xx answer; FetchError once retries are spent or on a 4xx or bad JSON."""
        where = str(httpx.URL(url, params=dict(params))) if params else url
        policy = self.policy
        problem, status = "", None
        for attempt in range(1, policy.max_attempts + 1):
            try:
                # wait_for also bounds transports that ignore httpx timeouts (in-process ASGI)
                response = await asyncio.wait_for(
                    self.client.get(where, headers=self.headers, timeout=policy.timeout_seconds),
                    timeout=policy.timeout_seconds,
                )
            except (httpx.TransportError, TimeoutError) as exc:
                problem, status = _describe(exc), None
                wait = policy.backoff(attempt)
            else:
                status = response.status_code
                if status == 429:
                    problem = "HTTP 429 Too Many Requests"
                    wait = _retry_after(response, policy)
                    wait = policy.backoff(attempt) if wait is None else wait
                elif status >= 500:
                    problem = f"HTTP {status}"
                    wait = policy.backoff(attempt)
                else:
                    return _parse(response, where)
            if attempt < policy.max_attempts:
                await policy.pause(wait)
        raise FetchError(
            where, f"{problem} after {policy.max_attempts} attempts", status,
            f"GET {where} failed after {policy.max_attempts} attempts ({problem}); retry later",
        )

    async def get_pages(
        self, url: str, params: Mapping[str, Any] | None = None, *, note: Note | None = None
    ) -> list[tuple[str, dict[str, Any]]]:
        """(page URL, record) for every record behind a paginated endpoint, or FetchError.

        `note` hears each page's outcome (and a final failed one for a truncated response)."""
        records: list[tuple[str, dict[str, Any]]] = []
        seen: set[str] = set()
        declared: int | None = None
        first_url = str(httpx.URL(url, params=dict(params))) if params else url
        next_url: str | None = first_url
        try:
            while next_url is not None:
                if next_url in seen:
                    raise FetchError(next_url, "pagination loop: this page was already fetched")
                if len(seen) >= self.policy.max_pages:
                    raise FetchError(next_url, f"more than {self.policy.max_pages} pages; stopped")
                seen.add(next_url)
                answer = await self.get_json(next_url)
                page = read_page(answer.body, answer.url)
                records.extend((answer.url, record) for record in page.records)
                declared = page.count if page.count is not None else declared
                _note(note, Outcome(answer.url, answer.status_code, True, None, len(page.records)))
                next_url = page.next_url
        except FetchError as exc:
            _note(note, Outcome(exc.url, exc.status_code, False, exc.reason, 0))
            raise
        if declared is not None and declared != len(records):
            reason = f"truncated response: the server declared {declared} records, {len(records)} arrived"
            _note(note, Outcome(first_url, None, False, reason, 0))
            raise FetchError(first_url, reason)
        return records

    async def get_optional_pages(
        self, url: str, params: Mapping[str, Any] | None = None, *, note: Note | None = None
    ) -> list[tuple[str, dict[str, Any]]] | None:
        """Like get_pages, but None when the endpoint answers 404 on its first page (the server does not
        offer it): noted as an ok outcome with reason 'not offered (404)', not as a failure."""
        first_url = str(httpx.URL(url, params=dict(params))) if params else url

        def hear(outcome: Outcome) -> None:
            if outcome.status_code == 404 and outcome.url == first_url:
                outcome = Outcome(outcome.url, 404, True, NOT_OFFERED, 0)
            _note(note, outcome)

        try:
            return await self.get_pages(first_url, note=hear)
        except FetchError as exc:
            if exc.status_code == 404 and exc.url == first_url:
                return None
            raise


@dataclass(frozen=True)
class Page:
    records: list[dict[str, Any]]
    next_url: str | None
    count: int | None
    style: str  # cursor | namespaced | flat | array | single


def read_page(body: Any, url: str) -> Page:
    """One page in any of the four styles; FetchError (malformed body) when it is none of them."""
    if isinstance(body, list):
        return Page(_objects(body, url), None, None, "array")
    if not isinstance(body, dict) or not isinstance(body.get("results"), list):
        raise FetchError(url, "malformed body: expected a JSON array or an object with a 'results' list")
    records = _objects(body["results"], url)
    navigation = body.get("pagination")
    style = "namespaced" if isinstance(navigation, dict) else "cursor"
    nav: Mapping[str, Any] = navigation if isinstance(navigation, dict) else body
    count = _int_or_none(nav.get("count"), "count", url)
    if "next" in nav:
        target = nav["next"]
        if target is not None and not (isinstance(target, str) and target.strip()):
            raise FetchError(url, f"malformed body: 'next' is not a URL: {target!r}")
        return Page(records, str(httpx.URL(url).join(target.strip())) if target else None, count, style)
    current = _int_or_none(nav.get("current_page"), "current_page", url)
    pages = _int_or_none(nav.get("num_pages"), "num_pages", url)
    if current is not None and pages is not None:
        following = str(httpx.URL(url).copy_set_param("page", current + 1)) if current < pages else None
        return Page(records, following, count, "flat")
    return Page(records, None, count, "single")


def read_object(body: Any, url: str, *, list_key: str | None = None) -> dict[str, Any]:
    """A JSON object (with a list of objects under `list_key` when given), else FetchError."""
    if not isinstance(body, dict):
        raise FetchError(url, "malformed body: expected a JSON object")
    if list_key is not None:
        items = body.get(list_key)
        if not isinstance(items, list):
            raise FetchError(url, f"malformed body: expected a '{list_key}' list")
        _objects(items, url)
    return body


def _objects(items: list[Any], url: str) -> list[dict[str, Any]]:
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise FetchError(url, f"malformed body: item {number} is not a JSON object")
    return items


def _int_or_none(value: Any, name: str, url: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise FetchError(url, f"malformed body: '{name}' is not an integer: {value!r}")
    return value


def _parse(response: httpx.Response, where: str) -> JsonAnswer:
    status = response.status_code
    if status in (401, 403):
        raise FetchError(
            where, f"HTTP {status} refused", status, f"GET {where} was refused (HTTP {status}); check the API token"
        )
    if status == 404:
        raise FetchError(where, "HTTP 404 Not Found", status, f"GET {where} answered 404; check the URL and ids")
    if status >= 400:
        raise FetchError(
            where, f"HTTP {status}", status, f"GET {where} failed with HTTP {status}; check the URL and ids"
        )
    try:
        body = json.loads(response.content)
    except ValueError as exc:
        raise FetchError(
            where, f"malformed body: not JSON ({exc})", status,
            f"GET {where} returned a malformed body (not JSON: {exc})",
        ) from None
    return JsonAnswer(where, status, body)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _note(note: Note | None, outcome: Outcome) -> None:
    if note is not None:
        note(outcome)


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


@asynccontextmanager
async def open_client(
    client: httpx.AsyncClient | None, transport: httpx.AsyncBaseTransport | None, policy: RetryPolicy
) -> AsyncIterator[httpx.AsyncClient]:
    """The caller's client, or a new one (over `transport` when given, e.g. httpx.ASGITransport(app))."""
    if client is not None:
        yield client
        return
    async with httpx.AsyncClient(transport=transport, timeout=policy.timeout_seconds, follow_redirects=True) as own:
        yield own


def run_sync(work: Coroutine[Any, Any, T]) -> T:
    """Run the async fetch from synchronous code (the CLI, Dagster, tests)."""
    return asyncio.run(work)
