"""One ingest batch: its id, its reconciled counts, and its row in `landing.ingest_batches`."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from ingestion.landing import LANDING_SCHEMA
from ingestion.readers import sql_literal, timestamp_literal


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
    # Literals, not parameters: the first parameterized statement of a process makes DuckDB's Python client
    # import numpy and pandas (0.3 s), a tenth of landing a million events.
    values = ", ".join([
        sql_literal(result.batch_id),
        sql_literal(result.kind),
        # JSON keeps a list of paths unambiguous even when a path contains a comma.
        sql_literal(json.dumps(list(result.sources))),
        sql_literal(organization_id),
        timestamp_literal(started_at),
        timestamp_literal(finished_at),
        *(str(int(count)) for count in (result.records_read, result.accepted, result.duplicates, result.rejected)),
    ])
    con.execute(f"insert into {LANDING_SCHEMA}.ingest_batches values ({values})")
