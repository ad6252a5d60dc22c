"""One ingest batch: its id, its reconciled counts, and its row in `landing.ingest_batches`."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from ingestion.sql_files import statement


@dataclass(frozen=True)
class BatchResult:
    """What one batch read and what became of it: read = accepted + duplicates + rejected."""

    batch_id: str
    kind: str
    sources: tuple[str, ...]
    records_read: int
    accepted: int
    duplicates: int
    rejected: int
    failed_files: tuple[str, ...] = ()  # files that could not be read at all (each one reject, record number 0)

    def summary(self) -> str:
        return (
            f"{self.kind}: read {self.records_read:,} = accepted {self.accepted:,} "
            f"+ duplicates {self.duplicates:,} + rejected {self.rejected:,} (batch {self.batch_id})"
        )


def new_batch_id() -> str:
    """Sortable by start time, unique even for batches started in the same second."""
    return f"{utc_now():%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}"


def utc_now() -> datetime:
    """Naive UTC, the form every landing timestamp column holds."""
    return datetime.now(UTC).replace(tzinfo=None)


def record_batch(
    con: duckdb.DuckDBPyConnection,
    result: BatchResult,
    *,
    organization_id: str,
    started_at: datetime,
    finished_at: datetime,
) -> None:
    """Insert the batch's row; callers run it inside the transaction that lands the batch's records."""
    if result.records_read != result.accepted + result.duplicates + result.rejected:
        raise AssertionError(f"batch {result.batch_id} does not reconcile: {result}")
    # The first statement with parameters of a process makes DuckDB's Python client import numpy and pandas (0.3 s),
    # which is why this row was once written with literals; the ingests now bind parameters before this anyway.
    con.execute(statement("batches/insert_batch"), {
        "batch_id": result.batch_id, "kind": result.kind, "sources": json.dumps(list(result.sources)),
        "organization": organization_id, "started_at": started_at, "finished_at": finished_at,
        "records_read": result.records_read, "accepted": result.accepted, "duplicates": result.duplicates,
        "rejected": result.rejected,
    })
