"""Shared pytest fixtures: a real DuckDB warehouse file in a temp folder, and the shared reference data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from ingestion.warehouse import PROJECT_DIR, write_session

SHARED_DIR = PROJECT_DIR.parent / "shared"

# A test that keeps a write connection open while a subprocess writes the same file would make that
# subprocess wait for the writer lock: let it fail after 5 minutes (with a clear error), not an hour.
os.environ.setdefault("LMS_WRITER_LOCK_TIMEOUT", "300")

# Under `pytest -n 2` (pytest-xdist) each worker gets its own dbt target and log folders: two dbt processes
# writing target/run_results.json or the saved parse at once would read each other's files.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if _WORKER:
    os.environ["DBT_TARGET_PATH"] = str(PROJECT_DIR / "target" / f"pytest-{_WORKER}")
    os.environ["DBT_LOG_PATH"] = str(PROJECT_DIR / "logs" / f"pytest-{_WORKER}")


# The modules whose builds take longest run first, so the two workers of `make test` finish together instead of
# one of them starting a long module last (`--dist loadfile` hands out whole modules in collection order).
_LONGEST_FIRST = ("test_privacy", "test_raw_data", "test_pipeline_e2e", "test_incremental_state", "test_tenants",
                  "test_orchestration", "test_docs_coverage", "test_cli", "test_dashboards_report", "test_gamification",
                  "test_video_marts", "test_ingest_events", "test_video_signals", "test_incremental_as_of")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: n for n, name in enumerate(_LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.stem, len(rank)))  # stable: the order inside a module stays


@pytest.fixture
def warehouse_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh warehouse file; LMS_WAREHOUSE_PATH points at it for the CLI, dbt and Dagster."""
    path = tmp_path / "warehouse" / "lms.duckdb"
    monkeypatch.setenv("LMS_WAREHOUSE_PATH", str(path))
    return path


@pytest.fixture
def con(warehouse_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to the fresh warehouse, landing tables created."""
    with write_session(warehouse_path) as connection:
        yield connection


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED_DIR.is_dir():
        pytest.fail(f"reference data not found at {SHARED_DIR}: clone the repository beside ../shared")
    return SHARED_DIR
