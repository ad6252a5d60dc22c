"""The landing schema: append-only tables that hold source records exactly as received.

This module is the contract between ingestion (which writes these tables) and dbt (whose
sources read them). Nothing here is ever updated or deleted by a normal run.
"""

from __future__ import annotations

import re

import duckdb

LANDING_SCHEMA = "landing"

CATALOG_ENTITIES: tuple[str, ...] = ("student", "instructor", "course", "class")

# Badge awards the LMS itself sends (ERD gamification_award), landed like a catalog entity (ingestion/awards.py).
AWARDS_TABLE = f"{LANDING_SCHEMA}.gamification_awards"


def catalog_table(entity: str) -> str:
    """Landing table of one Unified.to catalog entity, e.g. `landing.catalog_students`."""
    plural = "classes" if entity == "class" else f"{entity}s"
    return f"{LANDING_SCHEMA}.catalog_{plural}"


# Each string column names its compression: DuckDB then skips trying every method on every row group,
# which was most of the cost of landing a batch. The raw text, the widest column, is ZSTD-compressed where the
# file's storage format has ZSTD for strings (warehouse.STORAGE_VERSION): written in 40 % of the time FSST
# takes, in a fifth of the space. An older file keeps FSST (asking it for ZSTD would store the text raw).
_EVENTS_DDL = f"""
create table if not exists {LANDING_SCHEMA}.lms_events (
    id              varchar   using compression fsst         not null,  -- the event's own id (unique here)
    type            varchar   using compression dictionary   not null,
    student_id      varchar   using compression dictionary   not null,
    course_id       varchar   using compression dictionary,
    class_id        varchar   using compression dictionary,
    occurred_at     timestamp not null,  -- UTC; an input without offset is read as UTC
    payload_json    varchar   using compression dictionary   not null,  -- the payload as JSON text ('{{}}' if none)
    context_json    varchar   using compression dictionary,             -- the context as JSON text, or null
    version         integer   not null,  -- schema version of the event, default 1
    organization_id varchar   using compression dictionary   not null,  -- own field, else the CLI's, else 'default'
    content_hash    varchar   using compression uncompressed not null,  -- hash of the content as landed; see events.py
    raw_json        varchar   using compression __RAW_COMPRESSION__ not null,  -- the record as received (Tally: whole)
    source_file     varchar   using compression dictionary   not null,
    record_number   bigint    not null,  -- 1-based position of the record in its source file
    batch_id        varchar   using compression dictionary   not null,
    loaded_at       timestamp not null
)
"""

_EVENT_REJECTS_DDL = f"""
create table if not exists {LANDING_SCHEMA}.lms_event_rejects (
    source_file     varchar   not null,
    record_number   bigint    not null,
    raw_text        varchar,
    reason          varchar   not null,
    reject_key      varchar   not null,  -- identifies the bad record so a re-ingest does not add it again
    organization_id varchar   not null,
    batch_id        varchar   not null,
    rejected_at     timestamp not null
)
"""

_CATALOG_DDL = """
create table if not exists {table} (
    id              varchar   not null,
    updated_at      timestamp,           -- the record's own updated_at (UTC); later wins in staging
    record_json     varchar   not null,  -- the Unified.to object exactly as received
    content_hash    varchar   not null,
    organization_id varchar   not null,
    source_file     varchar   not null,
    record_number   bigint    not null,
    batch_id        varchar   not null,
    loaded_at       timestamp not null
)
"""

_CATALOG_REJECTS_DDL = f"""
create table if not exists {LANDING_SCHEMA}.catalog_rejects (
    entity          varchar   not null,
    source_file     varchar   not null,
    record_number   bigint    not null,
    raw_text        varchar,
    reason          varchar   not null,
    reject_key      varchar   not null,
    organization_id varchar   not null,
    batch_id        varchar   not null,
    rejected_at     timestamp not null
)
"""

# `lms-warehouse forget` (ingestion/erasure.py): one row per erased learner, ids and time only.
ERASURES_TABLE = f"{LANDING_SCHEMA}.erasures"
_ERASURES_DDL = f"""
create table if not exists {ERASURES_TABLE} (
    organization_id varchar   not null,
    student_id      varchar   not null,  -- the learner's opaque id; nothing else about them is kept
    erased_at       timestamp not null   -- UTC
)
"""

_BATCHES_DDL = f"""
create table if not exists {LANDING_SCHEMA}.ingest_batches (
    batch_id        varchar   not null,
    kind            varchar   not null,  -- events | catalog | ...
    sources         varchar   not null,  -- what was read: paths or a URL
    organization_id varchar   not null,
    started_at      timestamp not null,
    finished_at     timestamp not null,
    records_read    bigint    not null,
    accepted        bigint    not null,
    duplicates      bigint    not null,
    rejected        bigint    not null   -- read = accepted + duplicates + rejected
)
"""


# MOOC export, Open edX and H5P records (ingestion/mooc_landing.py) and one row per HTTP request.
MOOC_RECORDS = f"{LANDING_SCHEMA}.mooc_records"
HTTP_FETCH_LOG = f"{LANDING_SCHEMA}.http_fetch_log"

_MOOC_RECORDS_DDL = f"""
create table if not exists {MOOC_RECORDS} (
    organization_id varchar   not null,  -- tenant: the record's own organization_id, else --organization
    source          varchar   not null,  -- mooc_export | openedx | h5p: the API that served the record
    entity          varchar   not null,  -- enrollment | grade | progress | discussion | h5p_scores | ...
    course_id       varchar   not null,  -- the course asked for
    user_id         varchar   not null,  -- export/H5P user_id as text; openedx: 'oex-' + salted username hash
    record_json     varchar   not null,  -- the record in the export-API shape (canonical JSON)
    raw_json        varchar   not null,  -- the record exactly as served
    content_hash    varchar   not null,  -- md5 of record_json
    url             varchar   not null,  -- the page or response it came from
    batch_id        varchar   not null,  -- the fetch run
    fetched_at      timestamp not null   -- UTC
)
"""

_HTTP_FETCH_LOG_DDL = f"""
create table if not exists {HTTP_FETCH_LOG} (
    batch_id        varchar   not null,
    organization_id varchar   not null,
    source          varchar   not null,
    course_id       varchar,
    user_id         varchar,             -- null for course-level calls
    url             varchar   not null,
    status_code     integer,             -- null on a connection error or timeout
    ok              boolean   not null,
    reason          varchar,             -- null when ok; 'not offered (404)' for an optional endpoint
    records         integer   not null,
    fetched_at      timestamp not null
)
"""


def ensure_mooc_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The MOOC/H5P landing tables (written by ingestion/mooc_landing.py)."""
    con.execute(_MOOC_RECORDS_DDL)
    con.execute(_HTTP_FETCH_LOG_DDL)



def storage_version(con: duckdb.DuckDBPyConnection) -> str | None:
    """The storage format of the connection's database file, e.g. 'v1.2.0' (None in memory)."""
    (tags,) = con.execute(
        "select tags from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    version = (tags or {}).get("storage_version")
    return version.rstrip("+") if version else None


def has_zstd_strings(con: duckdb.DuckDBPyConnection) -> bool:
    """The database file's storage format (fixed when the file was created) can ZSTD-compress strings: v1.2.0+."""
    numbers = tuple(int(part) for part in re.findall(r"\d+", storage_version(con) or "")[:3])
    return numbers >= (1, 2, 0)


def ensure_landing_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the landing schema and its tables when they do not exist yet (idempotent)."""
    con.execute(f"create schema if not exists {LANDING_SCHEMA}")
    con.execute(_EVENTS_DDL.replace("__RAW_COMPRESSION__", "zstd" if has_zstd_strings(con) else "fsst"))
    con.execute(_EVENT_REJECTS_DDL)
    for entity in CATALOG_ENTITIES:
        con.execute(_CATALOG_DDL.format(table=catalog_table(entity)))
    con.execute(_CATALOG_DDL.format(table=AWARDS_TABLE))
    con.execute(_CATALOG_REJECTS_DDL)
    con.execute(_BATCHES_DDL)
    con.execute(_ERASURES_DDL)
    ensure_mooc_tables(con)
