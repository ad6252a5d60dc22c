"""The activity-days models and the streak calendar read the build's as-of instant: incremental builds stay
exact when the as-of moves past events landed earlier, and when it moves back (keys learner_as_of and
learner_as_of_calendar, macros/incremental/incremental_keys.sql)."""

from __future__ import annotations

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

pytestmark = pytest.mark.e2e  # builds the warehouse with dbt (left out of `make test-fast`)

START = datetime(2025, 3, 3)
DAYS = 4
RELATIONS = {"int_student_activity_days": "intermediate", "int_course_activity_days": "intermediate",
             "int_streak_days": "intermediate", "v_streak_history": "main", "int_gamification_signals": "intermediate",
             "int_gamification_awards_earned": "intermediate"}
MODELS = tuple(RELATIONS)
SELECTION = " ".join(f"+{model}" for model in MODELS)


def _build(as_of: datetime, *, full_refresh: bool = False) -> None:
    # models and seeds only: the comparison is the point here, not the data tests
    command = dbt_build_args(as_of, full_refresh=full_refresh, select=SELECTION).with_args(
        "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")
    outcome = run_dbt(command)
    assert outcome.success, outcome.failures or outcome.error


def _rows(warehouse: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(warehouse))
    try:
        return {model: con.execute(f"select * from {schema}.{model} order by all").fetchall()
                for model, schema in RELATIONS.items()}
    finally:
        con.close()


def _learners(rows: list[tuple]) -> set[tuple]:
    return {(row[0], row[1]) for row in rows}


def test_activity_days_follow_the_as_of_forward_and_back(warehouse_path: Path, tmp_path: Path) -> None:
    rng = random.Random(4)
    catalog = build_catalog(12, START - timedelta(days=30), rng)
    early, later, back = START + timedelta(days=1), START + timedelta(days=DAYS), START + timedelta(days=2)
    events = list(generate_events(catalog, START, DAYS, rng))
    # a third of the learners stop before the first as-of: their streak calendars only grow afterwards
    quitters = sorted({e["student_id"] for e in events})[::3]
    events = [e for e in events if e["student_id"] not in quitters or e["occurred_at"] < early]
    events_file = tmp_path / "events.ndjson"
    events_file.write_text("".join(to_json_line(e, f"evt-{n:06d}") + "\n" for n, e in enumerate(events, start=1)))
    with write_session(warehouse_path) as con:
        ingest_catalog_dir(con, write_demo_catalog(tmp_path / "catalog", catalog), organization_id="default")
        ingest_event_paths(con, [events_file], organization_id="default")

    # Every event is landed before the first build: the later days are the as-of's to reach, with no new batch.
    _build(early)
    before = _rows(warehouse_path)
    _build(later)
    incremental_later = _rows(warehouse_path)
    _build(back)
    incremental_back = _rows(warehouse_path)

    _build(later, full_refresh=True)
    full_later = _rows(warehouse_path)
    _build(back, full_refresh=True)
    full_back = _rows(warehouse_path)

    # v_streak_history: a learner with no event after the first as-of keeps their rows, and their calendar
    # only grows by inactive days (the rows the incremental build appends without recomputing them)
    active_later = {(r[0], r[1]) for r in full_later["v_streak_history"] if r[2] >= early.date() and r[3] == 1}
    assert _learners(before["v_streak_history"]) - active_later, "no learner kept their rows"
    for model in MODELS:
        # the fixture must make the as-of matter: rows appear after the first as-of, and leave when it moves back
        assert set(full_later[model]) - set(before[model]), model
        assert full_later[model] != full_back[model], model
        assert incremental_later[model] == full_later[model], model
        assert incremental_back[model] == full_back[model], model
