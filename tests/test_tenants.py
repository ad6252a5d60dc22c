"""Tenants never mix: two organizations with the same student, course and class ids, in one warehouse."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ingestion.catalog import ingest_catalog_dir
from ingestion.events import ingest_event_paths
from ingestion.warehouse import write_session
from lms_warehouse.dbt_runner import dbt_build_args, run_dbt

FIXTURE = Path(__file__).parent / "fixtures" / "e2e"
AS_OF = datetime(2024, 3, 4, 18, 0, 0)


def _other_tenant_inputs(folder: Path) -> tuple[Path, Path]:
    """Organization b: the same catalog ids with other step types, and other events on the same ids."""
    catalog, events = folder / "catalog", folder / "events"
    catalog.mkdir(parents=True)
    events.mkdir(parents=True)
    for path in (FIXTURE / "catalog").iterdir():
        rows = json.loads(path.read_text())
        if path.name == "lms_class.json":
            rows = [dict(row, step_type="quiz") for row in rows]
        path_out = catalog / path.name
        path_out.write_text(json.dumps(rows))
    lines = []
    for path in sorted((FIXTURE / "events").iterdir()):
        for n, line in enumerate(path.read_text().splitlines()):
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(record, dict) or n % 2:  # b sees only half of a's activity
                continue
            # event ids are global: the same id in two organizations would be a conflicting duplicate
            record["id"] = f"b-{record.get('id')}"
            lines.append(json.dumps(record))
    (events / "b.ndjson").write_text("\n".join(lines) + "\n")
    return catalog, events


def _build(warehouse: Path, tenants: dict[str, tuple[Path, Path]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMS_WAREHOUSE_PATH", str(warehouse))
    with write_session(warehouse) as con:
        for organization, (catalog, events) in tenants.items():
            ingest_catalog_dir(con, catalog, organization_id=organization)
            ingest_event_paths(con, [events], organization_id=organization)
    outcome = run_dbt(dbt_build_args(AS_OF))
    assert outcome.success, outcome.failures or outcome.error


def _tenant_rows(warehouse: Path, organization: str) -> dict[str, list[tuple]]:
    # read-write like dbt's own in-process handle: DuckDB refuses a second handle with another configuration
    con = duckdb.connect(str(warehouse))
    try:
        relations = [name for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main' order by 1"
        ).fetchall()]
        rows = {}
        for relation in relations:
            columns = [c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = 'main' and table_name = ?"
                " order by ordinal_position", [relation]).fetchall()]
            assert "organization_id" in columns, f"main.{relation} has no organization_id column"
            # load and batch metadata differ between two warehouses by design; everything else must not
            kept = [c for c in columns if c not in {"batch_id", "started_at", "finished_at", "duration_sec",
                                                     "sources", "created_at" if relation == "lms_event" else "",
                                                     "first_rejected_at", "last_rejected_at"}]
            select = ", ".join(f'"{c}"::varchar' for c in kept)
            rows[relation] = sorted(
                con.execute(f'select {select} from main."{relation}" where organization_id = ?', [organization])
                .fetchall(),
                key=repr,
            )
        return rows
    finally:
        con.close()


def test_two_organizations_with_the_same_ids_never_mix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tenant_a = (FIXTURE / "catalog", FIXTURE / "events")
    tenant_b = _other_tenant_inputs(tmp_path / "b_inputs")
    alone, together = tmp_path / "alone.duckdb", tmp_path / "together.duckdb"
    _build(alone, {"a": tenant_a}, monkeypatch)
    _build(together, {"a": tenant_a, "b": tenant_b}, monkeypatch)

    a_alone, a_together = _tenant_rows(alone, "a"), _tenant_rows(together, "a")
    b_together = _tenant_rows(together, "b")
    # b's data is really there and really different, so a mixing join would change a's rows
    assert b_together["v_user_progress"] and b_together["v_user_progress"] != a_together["v_user_progress"]
    assert b_together["lms_signal"] != a_together["lms_signal"]
    for relation, rows in a_alone.items():
        assert a_together[relation] == rows, f"{relation}: organization a changes when organization b is loaded"
