"""`make demo` run twice works the second time as the first: a demo warehouse is rebuilt from scratch, and said
so; a warehouse the demo did not make is never touched."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from event_factory import ping, write_lines

from devtools.demo.run import demo_marker, start_demo_warehouse
from ingestion.events import ingest_event_paths
from ingestion.warehouse import write_session
from lms_warehouse.cli_support import CommandError


def _warehouse_with_events(path: Path, source_folder: Path) -> None:
    with write_session(path) as con:
        ingest_event_paths(con, [write_lines(source_folder / "e.ndjson", [ping("p1")])])


def test_a_new_demo_warehouse_is_marked(tmp_path: Path) -> None:
    lines: list[str] = []
    warehouse = tmp_path / "warehouse" / "lms.duckdb"
    start_demo_warehouse(warehouse, lines.append)
    assert demo_marker(warehouse).exists() and not warehouse.exists()
    assert lines == [f"building the demo warehouse {warehouse}"]


def test_a_previous_demo_warehouse_is_replaced_and_said_so(tmp_path: Path) -> None:
    warehouse = tmp_path / "lms.duckdb"
    start_demo_warehouse(warehouse, lambda _line: None)
    _warehouse_with_events(warehouse, tmp_path / "somewhere")
    lines: list[str] = []

    start_demo_warehouse(warehouse, lines.append)

    assert not warehouse.exists() and demo_marker(warehouse).exists()
    assert "from scratch" in lines[0]


def test_an_older_demo_warehouse_without_marker_is_recognised_by_its_inputs(tmp_path: Path) -> None:
    warehouse = tmp_path / "lms.duckdb"
    _warehouse_with_events(warehouse, tmp_path / "demo_input" / "events")
    start_demo_warehouse(warehouse, lambda _line: None)
    assert not warehouse.exists()


def test_a_warehouse_the_demo_did_not_make_is_refused_and_kept(tmp_path: Path) -> None:
    warehouse = tmp_path / "lms.duckdb"
    _warehouse_with_events(warehouse, tmp_path / "production")
    before = warehouse.read_bytes()

    with pytest.raises(CommandError, match="the demo did not make") as error:
        start_demo_warehouse(warehouse, lambda _line: None)

    assert "\n" not in str(error.value) and "LMS_WAREHOUSE_PATH" in str(error.value)
    assert warehouse.read_bytes() == before and not demo_marker(warehouse).exists()
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("select count(*) from landing.lms_events").fetchone() == (1,)
    con.close()
