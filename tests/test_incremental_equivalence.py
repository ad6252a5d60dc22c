"""Incremental builds equal a full rebuild: every mart, row by row, after daily batches with late events,
events landed before the build's as-of reaches them, duplicates across batches and a catalog change in
between."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from catalog_factory import write_demo_catalog

from dbt_runner.run import dbt_build_args, run_dbt
from devtools.demo.data import build_catalog, generate_events, to_json_line
from ingestion.catalog import ingest_catalog_dir
from ingestion.events import ingest_event_paths
from ingestion.warehouse import write_session
from lms_warehouse.fingerprint import differences, mart_fingerprints

START = datetime(2025, 3, 3)
DAYS = 6
LOOKBACK_DAYS = 3  # the project's default var('incremental_lookback_days')


def _daily_batches(events: list[dict], folder: Path) -> list[Path]:
    """One file per day, plus what a real feed does: late events, re-sent events, a conflicting copy."""
    rng = random.Random(7)
    folder.mkdir(parents=True, exist_ok=True)
    lines = {day: [] for day in range(DAYS)}
    for n, event in enumerate(events, start=1):
        day = (event["occurred_at"] - START).days
        line = to_json_line(event, f"evt-{n:06d}")
        roll = rng.random()
        if day <= 1 and roll < 0.08:
            lines[DAYS - 1].append(line)  # arrives 5+ days late: older than the lookback window
        elif day <= DAYS - 3 and roll < 0.15:
            lines[day + 2].append(line)  # arrives 2 days late: inside the window
        elif day >= 1 and 0.30 < roll < 0.33:
            lines[day - 1].append(line)  # lands a day early: after that build's as-of, reached by the next
        else:
            lines[day].append(line)
        if roll > 0.97:
            lines[min(day + 1, DAYS - 1)].append(line)  # re-sent the next day: a duplicate
        if 0.5 < roll < 0.505:
            changed = dict(event, payload=dict(event.get("payload") or {}, note="changed"))
            lines[min(day + 1, DAYS - 1)].append(to_json_line(changed, f"evt-{n:06d}"))  # conflicting copy
    paths = []
    for day, day_lines in lines.items():
        path = folder / f"day{day}.ndjson"
        path.write_text("\n".join(day_lines) + "\n")
        paths.append(path)
    return paths


def _dbt_run(as_of: datetime, *, full_refresh: bool = False) -> None:
    # seeds and models only: the data tests run elsewhere; here the two builds are compared
    command = dbt_build_args(as_of, full_refresh=full_refresh).with_args(
        "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")
    outcome = run_dbt(command)
    assert outcome.success, outcome.failures or outcome.error


def _marts(warehouse: Path) -> dict:
    con = duckdb.connect(str(warehouse))
    try:
        return mart_fingerprints(con)
    finally:
        con.close()


@pytest.mark.slow
def test_incremental_builds_equal_a_full_refresh(warehouse_path: Path, tmp_path: Path) -> None:
    rng = random.Random(20250303)
    catalog = build_catalog(24, START - timedelta(days=30), rng)
    events = sorted(generate_events(catalog, START, DAYS, rng), key=lambda e: e["occurred_at"])
    assert len(events) > 500, "the fixture must be big enough to touch many learners and days"
    batches = _daily_batches(events, tmp_path / "events")
    late = sum(1 for line in batches[-1].read_text().splitlines()
               if json.loads(line)["occurred_at"] < (START + timedelta(days=DAYS - 1 - LOOKBACK_DAYS)).isoformat())
    assert late > 0, "the last batch must hold events older than the lookback window"

    for day, batch in enumerate(batches):
        with write_session(warehouse_path) as con:
            if day == 0:
                ingest_catalog_dir(con, write_demo_catalog(tmp_path / "catalog0", catalog), organization_id="default")
            if day == 3:
                ingest_catalog_dir(con, write_demo_catalog(tmp_path / "catalog4", catalog, step_type_change=True),
                                   organization_id="default")
            result = ingest_event_paths(con, [batch], organization_id="default")
            assert result.records_read == result.accepted + result.duplicates + result.rejected
        _dbt_run(START + timedelta(days=day + 1))

    incremental = _marts(warehouse_path)
    assert incremental["lms_event"].rows > 0 and incremental["lms_signal"].rows > 0
    _dbt_run(START + timedelta(days=DAYS), full_refresh=True)
    full = _marts(warehouse_path)
    assert set(full) == set(incremental)
    assert differences(incremental, full) == []


@pytest.mark.parametrize("relation", ["lms_event", "v_user_progress", "lms_signal"])
def test_the_comparison_sees_a_changed_row(warehouse_path: Path, relation: str) -> None:
    """The fingerprint the equivalence test relies on notices one changed value."""
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse_path))
    try:
        con.execute(f"create table main.{relation} as select range as id, 'x' as value from range(3)")
        before = mart_fingerprints(con)
        con.execute(f"update main.{relation} set value = 'y' where id = 1")
        assert differences(before, mart_fingerprints(con)) != []
    finally:
        con.close()
