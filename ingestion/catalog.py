"""Land the Unified.to LMS catalog (students, instructors, courses, classes) from files or the API.

Each object lands whole, with its id and updated_at; an object identical to one already landed for
the same id adds nothing, a changed one lands as a new version (append-only history). Catalog volumes
are small, so records are checked in Python; the statements that read and write the landing tables are
`ingestion/sql/catalog/*.sql`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from ingestion.batches import BatchResult, new_batch_id, record_batch, utc_now
from ingestion.errors import IngestError
from ingestion.landing import CATALOG_ENTITIES, catalog_table, ensure_landing_schema
from ingestion.sql_files import registered, statement
from ingestion.values import parse_utc

if TYPE_CHECKING:
    import httpx

    from ingestion.http_fetch import RetryPolicy, Sleep


# Why a record cannot land (one line), or None when it can.
Problem = Callable[[Any], str | None]

# The statements, in the order a batch runs them (ingestion/sql/catalog/); the first two on the entity's table.
_LANDED_VERSIONS = "catalog/landed_versions"
_INSERT_VERSIONS = "catalog/insert_versions"
_INSERT_REJECTS = "catalog/insert_rejects"


@dataclass(frozen=True)
class CatalogResult:
    per_entity: dict[str, BatchResult]  # only the entities that were read
    notes: tuple[str, ...] = ()  # e.g. files that were not there

    def summary(self) -> str:
        parts = [
            f"{entity} read {r.records_read:,} = accepted {r.accepted:,} + duplicates {r.duplicates:,} "
            f"+ rejected {r.rejected:,}"
            for entity, r in self.per_entity.items()
        ]
        line = "catalog: " + "; ".join(parts)
        return line + ("\n  " + "; ".join(self.notes) if self.notes else "")


@dataclass(frozen=True)
class _Record:
    number: int  # 1-based position in the file or across the API pages
    value: Any
    raw: str


@dataclass(frozen=True)
class _Checked:
    accepted: list[dict[str, Any]]
    duplicates: int
    rejects: list[tuple[int, str, str]]  # (record number, raw text, reason)


def ingest_catalog_dir(
    con: duckdb.DuckDBPyConnection, directory: Path | str, *, organization_id: str = "default"
) -> CatalogResult:
    """Land lms_student.json, lms_instructor.json, lms_course.json and lms_class.json from one folder."""
    folder = Path(directory).expanduser().resolve()
    if not folder.is_dir():
        raise IngestError(f"{directory}: no such folder; give the folder holding the lms_*.json catalog files")
    files = {entity: folder / f"lms_{entity}.json" for entity in CATALOG_ENTITIES}
    present = {entity: path for entity, path in files.items() if path.is_file()}
    if not present:
        names = ", ".join(p.name for p in files.values())
        raise IngestError(f"{directory}: holds none of {names}; check the folder")
    ensure_landing_schema(con)
    results: dict[str, BatchResult] = {}
    for entity, path in present.items():
        records, file_error = _read_file(path)
        results[entity] = _land_entity(con, entity, str(path), records, file_error, organization_id)
    notes = tuple(f"no {files[e].name}: {e} skipped" for e in CATALOG_ENTITIES if e not in present)
    return CatalogResult(results, notes)


def ingest_catalog_api(
    con: duckdb.DuckDBPyConnection,
    base_url: str,
    connection_id: str,
    *,
    token: str | None,
    client: httpx.AsyncClient | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    page_size: int = 100,
    organization_id: str = "default",
    sleep: Sleep | None = None,
    policy: RetryPolicy | None = None,
) -> CatalogResult:
    """Page through every catalog entity of one connection; each entity lands only once fully fetched."""
    from ingestion.http_fetch import RetryPolicy, run_sync

    if not connection_id:
        raise IngestError("a connection id is needed to read the catalog API")
    ensure_landing_schema(con)
    retry = policy or RetryPolicy(sleep=sleep)
    return run_sync(_fetch_and_land(con, base_url, connection_id, token, client, transport, retry, page_size,
                                    organization_id))


async def _fetch_and_land(
    con: duckdb.DuckDBPyConnection,
    base_url: str,
    connection_id: str,
    token: str | None,
    client: httpx.AsyncClient | None,
    transport: httpx.AsyncBaseTransport | None,
    policy: RetryPolicy,
    page_size: int,
    organization_id: str,
) -> CatalogResult:
    from ingestion.http_fetch import Fetcher, open_client
    from ingestion.unified_api import entity_url, fetch_all

    results: dict[str, BatchResult] = {}
    async with open_client(client, transport, policy) as http:
        fetcher = Fetcher(http, token=token, policy=policy)
        for entity in CATALOG_ENTITIES:
            url = entity_url(base_url, connection_id, entity)
            objects = await fetch_all(fetcher, url, page_size=page_size)
            records = [_Record(n, obj, _dumps(obj)) for n, obj in enumerate(objects, start=1)]
            results[entity] = _land_entity(con, entity, url, records, None, organization_id)
    return CatalogResult(results)


def _read_file(path: Path) -> tuple[list[_Record], str | None]:
    """The file's elements, or no records and why the file is unusable."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return [], f"could not read file {path.name}: {exc}"
    try:
        document = json.loads(text)
    except ValueError as exc:
        return [_Record(0, None, text)], f"could not parse file {path.name} as JSON: {exc}"
    if not isinstance(document, list):
        return [_Record(0, None, text)], f"file {path.name} is not a JSON array of objects"
    return [_Record(n, value, _dumps(value)) for n, value in enumerate(document, start=1)], None


def _land_entity(
    con: duckdb.DuckDBPyConnection,
    entity: str,
    source: str,
    records: list[_Record],
    file_error: str | None,
    organization_id: str,
    *,
    table: str | None = None,
    problem: Problem | None = None,
    kind: str | None = None,
) -> BatchResult:
    """Land one entity's records as one batch; `table`, `problem` and `kind` let other versioned
    objects (ingestion/awards.py) reuse the same landing."""
    batch_id, started_at = new_batch_id(), utc_now()
    table = table or catalog_table(entity)
    if file_error:
        checked = _Checked([], 0, [(0, records[0].raw if records else "", file_error)])
    else:
        landed = _landed_versions(con, table, records, problem or _problem, organization_id)
        checked = _check(records, landed, problem or _problem)
    result = BatchResult(
        batch_id, kind or f"catalog_{entity}", (source,), max(len(records), 1) if file_error else len(records),
        len(checked.accepted), checked.duplicates, len(checked.rejects),
    )
    batch = {"organization": organization_id, "source": source, "batch_id": batch_id}
    con.execute("begin transaction")
    try:
        _insert_versions(con, table, checked.accepted, {**batch, "loaded_at": started_at})
        _insert_rejects(con, checked.rejects, {**batch, "entity": entity, "rejected_at": started_at})
        record_batch(con, result, organization_id=organization_id, started_at=started_at, finished_at=utc_now())
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return result


def _check(records: Iterable[_Record], landed: set[tuple[str, str]], problem: Problem) -> _Checked:
    seen = set(landed)
    accepted: list[dict[str, Any]] = []
    rejects: list[tuple[int, str, str]] = []
    duplicates = 0
    for record in records:
        reason = problem(record.value)
        if reason:
            rejects.append((record.number, record.raw, reason))
            continue
        key = (_id_text(record.value["id"]), _content_hash(record.value))
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        accepted.append({"id": key[0], "updated_at": parse_utc(record.value.get("updated_at")),
                         "record_json": record.raw, "content_hash": key[1], "record_number": record.number})
    return _Checked(accepted, duplicates, rejects)


def _problem(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "not a JSON object"
    record_id = value.get("id")
    if isinstance(record_id, bool) or not isinstance(record_id, str | int | float) or not str(record_id).strip():
        return "missing or empty id"
    updated_at = value.get("updated_at")
    if updated_at is not None and parse_utc(updated_at) is None:
        return f"updated_at is not an ISO-8601 timestamp: {updated_at!r}"
    return None


def _landed_versions(
    con: duckdb.DuckDBPyConnection, table: str, records: Sequence[_Record], problem: Problem, organization_id: str
) -> set[tuple[str, str]]:
    ids = sorted({_id_text(r.value["id"]) for r in records if problem(r.value) is None})
    if not ids:
        return set()
    rows = con.execute(_on_table(_LANDED_VERSIONS, table), {"organization": organization_id, "ids": ids})
    return {(row[0], row[1]) for row in rows.fetchall()}


def _insert_versions(
    con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]], parameters: dict[str, Any]
) -> None:
    import pyarrow as pa  # imported here so that importing the ingestion package stays cheap

    if not rows:
        return
    versions = pa.Table.from_pylist(rows, schema=pa.schema([
        ("id", pa.string()), ("updated_at", pa.timestamp("us")), ("record_json", pa.string()),
        ("content_hash", pa.string()), ("record_number", pa.int64()),
    ]))
    with registered(con, "_ingest_catalog_versions", versions):
        con.execute(_on_table(_INSERT_VERSIONS, table), parameters)


def _insert_rejects(con: duckdb.DuckDBPyConnection, rejects: list[tuple[int, str, str]], parameters: dict[str, Any]
                    ) -> None:
    import pyarrow as pa

    if not rejects:
        return
    numbers, raws, reasons = zip(*rejects, strict=True)
    table = pa.table({"record_number": pa.array(numbers, pa.int64()), "raw_text": pa.array(raws, pa.string()),
                      "reason": pa.array(reasons, pa.string())})
    with registered(con, "_ingest_catalog_rejects", table):
        con.execute(statement(_INSERT_REJECTS), parameters)


def _on_table(name: str, table: str) -> str:
    """The statement on the entity's landing table: a table name cannot be a parameter, so it is the one part of
    the text chosen here, from the tables landing.py creates (never from input)."""
    return statement(name).replace("__table__", table)


def _content_hash(value: dict[str, Any]) -> str:
    """Key order does not make a new version; any changed value does."""
    return hashlib.md5(json.dumps(value, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _id_text(value: Any) -> str:
    return str(value)


