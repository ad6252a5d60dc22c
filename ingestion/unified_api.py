"""A small client for a Unified.to-style LMS API: bearer auth, limit/offset paging.

`GET {base}/lms/{connection_id}/{entity}?limit=&offset=` returns a bare JSON array. Retries, Retry-After,
timeouts and body checks are the shared ones of `ingestion.http_fetch`; every failure that remains is an
IngestError naming the URL.
"""

from __future__ import annotations

from typing import Any

from ingestion.errors import IngestError
from ingestion.http_fetch import Fetcher, FetchError


def entity_url(base_url: str, connection_id: str, entity: str) -> str:
    return f"{base_url.rstrip('/')}/lms/{connection_id}/{entity}"


async def fetch_all(fetcher: Fetcher, url: str, *, page_size: int) -> list[dict[str, Any]]:
    """Every object behind a paged endpoint; a page shorter than `page_size` is the last one."""
    if page_size < 1:
        raise IngestError(f"page size must be at least 1, got {page_size}")
    records: list[dict[str, Any]] = []
    while True:
        answer = await fetcher.get_json(url, {"limit": page_size, "offset": len(records)})
        page = answer.body
        if not isinstance(page, list) or not all(isinstance(item, dict) for item in page):
            raise FetchError(
                answer.url, "malformed body", answer.status_code,
                f"GET {answer.url} returned a malformed body (expected a JSON array of objects)",
            )
        records.extend(page)
        # A short page is the last; a longer one means the server ignores paging and sent everything.
        if len(page) != page_size:
            return records
