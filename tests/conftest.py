"""Shared pytest fixtures: a real DuckDB warehouse file in a temp folder, and the shared reference data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from ingestion.warehouse import PROJECT_DIR, connect

SHARED_DIR = PROJECT_DIR.parent / "shared"


@pytest.fixture
def warehouse_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh warehouse file; LMS_WAREHOUSE_PATH points at it for the CLI, dbt and Dagster."""
    path = tmp_path / "warehouse" / "lms.duckdb"
    monkeypatch.setenv("LMS_WAREHOUSE_PATH", str(path))
    return path


@pytest.fixture
def con(warehouse_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to the fresh warehouse, landing tables created."""
    connection = connect(warehouse_path)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED_DIR.is_dir():
        pytest.fail(f"reference data not found at {SHARED_DIR}: clone the repository beside ../shared")
    return SHARED_DIR


@pytest.fixture(autouse=True, scope="session")
def _mooc_landing_tables() -> Iterator[None]:
    """Until the MOOC/H5P ingestion lands (issue 4a), every warehouse opened gets its landing tables here."""
    from mooc_landing_fixture import create_mooc_landing

    import ingestion.warehouse

    ensure = ingestion.warehouse.ensure_landing_schema

    def ensure_with_mooc(connection: duckdb.DuckDBPyConnection) -> None:
        ensure(connection)
        create_mooc_landing(connection)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ingestion.warehouse, "ensure_landing_schema", ensure_with_mooc)
        yield
