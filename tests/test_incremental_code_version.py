"""An incremental model keeps rows earlier builds computed: after a code change it must be rebuilt from
scratch, or its old rows would differ from what a full rebuild with the new code gives."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from event_factory import ping

from ingestion.events import ingest_event_paths
from ingestion.warehouse import write_session
from lms_warehouse.code_version import projection_code_version
from lms_warehouse.dbt_runner import dbt_build_args, run_dbt

AS_OF = datetime(2026, 3, 10)
REBUILT = "lms_event: built by other code than this build's"


@pytest.fixture(autouse=True)
def _dbt_prints_its_log(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMS_VERBOSE", "1")  # the rebuild notice is an info line of dbt's: quiet runs keep it in the log


def _build(capfd: pytest.CaptureFixture[str]) -> str:
    """Build lms_event and what it reads (no tests); return what dbt printed."""
    capfd.readouterr()
    outcome = run_dbt(dbt_build_args(AS_OF).with_args(
        "--select", "+lms_event", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"))
    printed = capfd.readouterr().out
    assert outcome.success, outcome.failures or outcome.error
    return printed


def _sql(warehouse_path: Path, statement: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse_path))
    try:
        return con.execute(statement).fetchall()
    finally:
        con.close()


def _land(tmp_path: Path, events: list[dict]) -> None:
    path = tmp_path / "events.ndjson"
    path.write_text("\n".join(json.dumps(event) for event in events) + "\n")
    with write_session() as con:
        ingest_event_paths(con, [path])


def _pretend_built_by_older_code(warehouse_path: Path) -> None:
    _sql(warehouse_path, "update build_state.model_code_versions set code_version = 'older code' "
                         "where model_name = 'lms_event'")


def test_an_incremental_model_built_by_other_code_is_rebuilt_from_scratch(
    warehouse_path: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    _land(tmp_path, [ping(f"e-{n}", student_id=f"s-{n}") for n in range(3)])
    assert REBUILT not in _build(capfd)
    assert _sql(warehouse_path, "select code_version from build_state.model_code_versions "
                                "where model_name = 'lms_event'") == [(projection_code_version(),)]

    # A row unlike what the code computes: the same code keeps it (no new events, nothing to recompute)...
    _sql(warehouse_path, "update main.lms_event set type = 'STALE' where id = 'e-0'")
    assert REBUILT not in _build(capfd)
    assert _sql(warehouse_path, "select type from main.lms_event where id = 'e-0'") == [("STALE",)]

    # ...other code recomputes every row, and says so.
    _pretend_built_by_older_code(warehouse_path)
    assert REBUILT in _build(capfd)
    assert _sql(warehouse_path, "select type from main.lms_event where id = 'e-0'") == [("VIDEO_PING",)]
    assert _sql(warehouse_path, "select count(*) from main.lms_event") == [(3,)]


def test_a_schema_change_that_comes_with_new_code_rebuilds_instead_of_failing(
    warehouse_path: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    _land(tmp_path, [ping("e-1")])
    _build(capfd)
    # the table as an older version of the model left it: one column fewer
    _sql(warehouse_path, "alter table main.lms_event drop column context_json")

    _pretend_built_by_older_code(warehouse_path)
    assert REBUILT in _build(capfd)
    columns = _sql(warehouse_path, "select column_name from information_schema.columns "
                                   "where table_schema = 'main' and table_name = 'lms_event'")
    assert ("context_json",) in columns


def test_a_warehouse_from_before_code_versions_were_recorded_is_rebuilt(
    warehouse_path: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    _land(tmp_path, [ping("e-1")])
    _build(capfd)
    _sql(warehouse_path, "delete from build_state.model_code_versions")
    assert REBUILT in _build(capfd)
    assert REBUILT not in _build(capfd)


def test_a_plain_dbt_build_versions_the_code_dbt_parsed(
    warehouse_path: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Without LMS_CODE_VERSION (dbt run by hand) the version is a hash of the parsed models and seeds:
    different from the CLI's, so the first such build rebuilds, and the next one does not."""
    _land(tmp_path, [ping("e-1")])
    _build(capfd)
    plain = ["build", "--vars", json.dumps({"as_of": "2026-03-10 00:00:00"}), "--select", "+lms_event",
             "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
    for expected in (True, False):
        capfd.readouterr()
        outcome = run_dbt(plain)
        assert outcome.success, outcome.failures or outcome.error
        assert (REBUILT in capfd.readouterr().out) is expected
    (recorded,) = _sql(warehouse_path, "select code_version from build_state.model_code_versions "
                                       "where model_name = 'lms_event'")
    assert recorded[0].startswith("dbt-graph:")
