"""Where the warehouse file lives and how to open it."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from ingestion.landing import ensure_landing_schema

PROJECT_DIR = Path(__file__).resolve().parents[1]
DEFAULT_WAREHOUSE = "warehouse/lms.duckdb"


def warehouse_path() -> Path:
    """The DuckDB file: `LMS_WAREHOUSE_PATH`, else `warehouse/lms.duckdb` (relative to the working dir)."""
    return Path(os.environ.get("LMS_WAREHOUSE_PATH") or DEFAULT_WAREHOUSE).resolve()


def connect(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-write, with UTC as the session time zone, landing tables ensured."""
    target = path or warehouse_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(target))
    con.execute("set TimeZone = 'UTC'")
    con.execute("set enable_progress_bar = false")
    ensure_landing_schema(con)
    return con
