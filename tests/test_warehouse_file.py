"""The warehouse file's storage format: a new file gets STORAGE_VERSION (ZSTD for the raw event text), an older
file keeps its format and FSST, and an existing file is never replaced."""

from __future__ import annotations

from pathlib import Path

import duckdb
from event_factory import ping, write_lines

from ingestion.events import ingest_event_paths
from ingestion.landing import storage_version
from ingestion.warehouse import STORAGE_VERSION, create_warehouse_file, write_session


def _raw_text_compression(con: duckdb.DuckDBPyConnection) -> set[str]:
    con.execute("checkpoint")
    rows = con.execute(
        "select distinct compression from pragma_storage_info('landing.lms_events') "
        "where column_name = 'raw_json' and segment_type = 'VARCHAR'"
    ).fetchall()
    return {compression for (compression,) in rows}


def _land_some_events(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    events = [ping(f"e-{n}", payload__position=n % 600) for n in range(3000)]
    result = ingest_event_paths(con, [write_lines(folder / "events.ndjson", events)])
    assert result.accepted == 3000


def test_a_new_warehouse_stores_the_raw_event_text_with_zstd(tmp_path):
    with write_session(tmp_path / "new.duckdb") as con:
        assert storage_version(con) == STORAGE_VERSION
        _land_some_events(con, tmp_path)
        assert _raw_text_compression(con) == {"ZSTD"}


def test_a_warehouse_in_the_older_format_keeps_it_and_fsst_for_the_raw_text(tmp_path):
    path = tmp_path / "old.duckdb"
    duckdb.connect(str(path)).close()  # DuckDB's default format, as files made before STORAGE_VERSION have

    with write_session(path) as con:
        assert storage_version(con) == "v1.0.0"
        _land_some_events(con, tmp_path)
        # ZSTD asked of this format would silently store the text uncompressed
        assert _raw_text_compression(con) == {"FSST"}


def test_an_existing_file_is_left_as_it_is(tmp_path):
    path = tmp_path / "kept.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table kept as select 42 as answer")

    create_warehouse_file(path)

    with duckdb.connect(str(path)) as con:
        assert con.execute("select answer from kept").fetchall() == [(42,)]
        assert storage_version(con) == "v1.0.0"
