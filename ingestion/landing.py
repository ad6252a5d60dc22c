"""The landing schema: append-only tables that hold source records exactly as received.

This module is the contract between ingestion (which writes these tables) and dbt (whose
sources read them). Nothing here is ever updated or deleted by a normal run.
"""

from __future__ import annotations

import re

import duckdb

from ingestion.sql_files import statement

LANDING_SCHEMA = "landing"

CATALOG_ENTITIES: tuple[str, ...] = ("student", "instructor", "course", "class")

# Badge awards the LMS itself sends (ERD gamification_award), landed like a catalog entity (ingestion/awards.py).
AWARDS_TABLE = f"{LANDING_SCHEMA}.gamification_awards"


def catalog_table(entity: str) -> str:
    """Landing table of one Unified.to catalog entity, e.g. `landing.catalog_students`."""
    plural = "classes" if entity == "class" else f"{entity}s"
    return f"{LANDING_SCHEMA}.catalog_{plural}"


# `lms-warehouse forget` (ingestion/erasure.py): one row per erased learner, ids and time only.
ERASURES_TABLE = f"{LANDING_SCHEMA}.erasures"

# MOOC export, Open edX and H5P records (ingestion/mooc_landing.py) and one row per HTTP request.
MOOC_RECORDS = f"{LANDING_SCHEMA}.mooc_records"
HTTP_FETCH_LOG = f"{LANDING_SCHEMA}.http_fetch_log"

# The tables' DDL: ingestion/sql/landing/create_<table>.sql, one per table.
_CREATE_CATALOG_TABLE = "landing/create_catalog_table"  # one shape, one table per entity: __table__


def ensure_mooc_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The MOOC/H5P landing tables (written by ingestion/mooc_landing.py)."""
    con.execute(statement("landing/create_mooc_records"))
    con.execute(statement("landing/create_http_fetch_log"))


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
    raw_compression = "zstd" if has_zstd_strings(con) else "fsst"
    con.execute(statement("landing/create_lms_events").replace("__raw_compression__", raw_compression))
    con.execute(statement("landing/create_lms_event_rejects"))
    for table in (*(catalog_table(entity) for entity in CATALOG_ENTITIES), AWARDS_TABLE):
        con.execute(statement(_CREATE_CATALOG_TABLE).replace("__table__", table))
    con.execute(statement("landing/create_catalog_rejects"))
    con.execute(statement("landing/create_ingest_batches"))
    con.execute(statement("landing/create_erasures"))
    ensure_mooc_tables(con)
