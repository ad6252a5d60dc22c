"""What an incremental build remembers, and nothing more: one watermark of processed batches, moved only by
a run that built every incremental model, and the manifest of the warehouse's last build, which dbt's
`state:modified` compares with the code (dbt_runner/code_changes.py)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from event_factory import ping, quiz

from dbt_runner.code_changes import MANIFEST, VARS, models_to_rebuild, save_build_state, state_dir
from dbt_runner.run import (
    build_warehouse,
    built_manifest,
    dbt_build_args,
    list_models,
    run_dbt,
    target_dir,
)
from ingestion.events import ingest_event_paths
from ingestion.warehouse import write_session
from lms_warehouse.fingerprint import differences, mart_fingerprints

pytestmark = pytest.mark.e2e  # builds the warehouse with dbt (left out of `make test-fast`)

AS_OF = datetime(2026, 3, 10)


def _sql(warehouse_path: Path, statement: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse_path))
    try:
        return con.execute(statement).fetchall()
    finally:
        con.close()


def _land(tmp_path: Path, name: str, events: list[dict]) -> None:
    path = tmp_path / f"{name}.ndjson"
    path.write_text("\n".join(json.dumps(event) for event in events) + "\n")
    with write_session() as con:
        ingest_event_paths(con, [path])


def _edit_saved(warehouse_path: Path, name: str, edit) -> None:
    path = state_dir(warehouse_path) / name
    document = json.loads(path.read_text())
    edit(document)
    path.write_text(json.dumps(document))


def _node(manifest: dict, name: str) -> dict:
    (node,) = [n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["name"] == name]
    return node


def _older_sql(manifest: dict) -> None:
    node = _node(manifest, "lms_event")
    node["raw_code"] += "\n-- older code"
    node["checksum"]["checksum"] = "0" * 64


def test_the_models_to_rebuild_are_dbts_state_modified_and_the_readers_of_changed_vars(
    warehouse_path: Path,
) -> None:
    assert models_to_rebuild(warehouse_path, list_models, built_manifest()) is None  # no build recorded
    list_models([])  # the current code's manifest
    save_build_state(warehouse_path, built_manifest())
    assert models_to_rebuild(warehouse_path, list_models, built_manifest()) == []

    def new_description(manifest: dict) -> None:
        _node(manifest, "lms_event")["description"] = "an older description"

    _edit_saved(warehouse_path, MANIFEST, new_description)
    assert models_to_rebuild(warehouse_path, list_models, built_manifest()) == []  # a description is no change

    _edit_saved(warehouse_path, MANIFEST, _older_sql)
    changed = models_to_rebuild(warehouse_path, list_models, built_manifest())
    assert "lms_event" in changed and "v_event_daily_stats" in changed  # the model and what is downstream
    assert "stg_lms__events" not in changed  # upstream of it: unchanged

    save_build_state(warehouse_path, built_manifest())
    _edit_saved(warehouse_path, VARS, lambda saved: saved.update(video_completion_threshold=0.5))
    changed = models_to_rebuild(warehouse_path, list_models, built_manifest())
    assert "int_video_completions" in changed and "lms_signal" in changed
    assert "lms_event" not in changed and "int_quiz_submissions" not in changed

    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    warehouse_path.write_bytes(b"")  # another file at the warehouse's path (a new demo, a restored copy)
    assert models_to_rebuild(warehouse_path, list_models, built_manifest()) is None


@pytest.mark.slow
def test_a_build_rebuilds_from_scratch_only_the_models_whose_code_changed(
    warehouse_path: Path, tmp_path: Path
) -> None:
    _land(tmp_path, "day1", [ping(f"e-{n}", student_id=f"s-{n}") for n in range(3)])
    assert build_warehouse(AS_OF).success
    assert (state_dir(warehouse_path) / MANIFEST).is_file()

    # A row unlike what the code computes: the same code keeps it (nothing new, nothing recomputed)...
    _sql(warehouse_path, "update main.lms_event set type = 'STALE' where id = 'e-0'")
    assert build_warehouse(AS_OF).success
    assert _sql(warehouse_path, "select type from main.lms_event where id = 'e-0'") == [("STALE",)]

    # ...changed code recomputes every row of the model.
    _edit_saved(warehouse_path, MANIFEST, _older_sql)
    assert build_warehouse(AS_OF).success
    assert _sql(warehouse_path, "select type from main.lms_event where id = 'e-0'") == [("VIDEO_PING",)]
    assert _sql(warehouse_path, "select count(*) from main.lms_event") == [(3,)]


@pytest.mark.slow
def test_a_partial_run_is_exact_and_leaves_the_watermark_for_the_next_whole_run(
    warehouse_path: Path, tmp_path: Path
) -> None:
    _land(tmp_path, "day1", [ping(f"a-{n}", student_id=f"s-{n}") for n in range(3)])
    assert build_warehouse(AS_OF).success
    built = _sql(warehouse_path, "select count(*) from build_state.built_batches")

    _land(tmp_path, "day2", [ping(f"b-{n}", student_id=f"s-{n}", occurred_at="2026-03-03T10:00:00Z")
                             for n in range(2)])
    # no tests: a test comparing lms_event with a model this run does not build would fail, as in any dbt project
    alone = run_dbt(dbt_build_args(AS_OF, select="stg_lms__events lms_event").with_args(
        "--exclude-resource-type", "unit_test", "--exclude-resource-type", "test"))
    assert alone.success, alone.failures or alone.error
    assert _sql(warehouse_path, "select count(*) from main.lms_event") == [(5,)]  # exact for what it built
    assert _sql(warehouse_path, "select count(*) from build_state.built_batches") == built  # not moved
    assert _sql(warehouse_path, "select count(*) from intermediate.int_video_pings") == [(3,)]  # not built

    assert build_warehouse(AS_OF).success  # the whole run processes day 2 for every model
    assert _sql(warehouse_path, "select count(*) from intermediate.int_video_pings") == [(5,)]
    assert _sql(warehouse_path, "select count(*) from build_state.built_batches") == [(built[0][0] + 1,)]
    assert _sql(warehouse_path, "select count(*) from build_state.run_events") == [(2,)]


def test_building_part_of_the_project_equals_a_full_rebuild_of_that_part(
    warehouse_path: Path, tmp_path: Path
) -> None:
    _land(tmp_path, "day1", [quiz(f"a-{n}", student_id=f"s-{n}") for n in range(3)])
    assert build_warehouse(AS_OF).success
    _land(tmp_path, "day2", [quiz(f"b-{n}", student_id=f"t-{n}", occurred_at="2026-03-03T10:00:00Z")
                             for n in range(2)])
    for full_refresh in (False, True):
        outcome = run_dbt(dbt_build_args(AS_OF, select="+lms_signal", full_refresh=full_refresh)
                          .with_args("--exclude-resource-type", "unit_test", "--exclude-resource-type", "test"))
        assert outcome.success, outcome.failures or outcome.error
        rows = _sql(warehouse_path, "select * from main.lms_signal order by all")
        if not full_refresh:
            incremental = rows
    assert len(rows) == 5  # one QUIZ_PASSED per learner
    assert incremental == rows


def _fingerprints(warehouse_path: Path) -> dict:
    con = duckdb.connect(str(warehouse_path))  # dbt in this process holds the file read-write
    try:
        return mart_fingerprints(con)
    finally:
        con.close()


def _models_run(outcome_dir: Path) -> set[str]:
    results = json.loads((outcome_dir / "run_results.json").read_text())["results"]
    return {r["unique_id"].split(".")[-1] for r in results if r["unique_id"].startswith("model.")}


@pytest.mark.slow
def test_a_build_selects_what_can_differ_since_the_last_whole_build_and_nothing_when_nothing_changed(
    warehouse_path: Path, tmp_path: Path
) -> None:
    _land(tmp_path, "day1", [quiz(f"a-{n}", student_id=f"s-{n}") for n in range(3)]
          + [ping(f"p-{n}", student_id=f"s-{n}") for n in range(3)])
    first = build_warehouse(AS_OF)
    assert first.success and not first.up_to_date
    every_model = _models_run(target_dir())

    again = build_warehouse(AS_OF)
    assert again.success and again.up_to_date and sum(again.counts.values()) == 0
    assert "up to date" in again.summary()

    # the as-of moved: the models that read it, and what is downstream of them
    later = AS_OF + timedelta(days=9)
    assert build_warehouse(later).success
    as_of_models = _models_run(target_dir())
    assert {"int_learner_course_days", "v_streak_history", "raw_data"} <= as_of_models < every_model
    assert not as_of_models & {"stg_lms__events", "lms_event", "lms_signal", "int_quiz_submissions"}
    _assert_equals_a_full_refresh(warehouse_path, later)

    # a batch of events: what is downstream of the landing tables it grew, and every incremental model
    _land(tmp_path, "day2", [quiz("b-1", student_id="s-9", occurred_at="2026-03-03T10:00:00Z")])
    assert build_warehouse(later).success
    event_models = _models_run(target_dir())
    assert {"stg_lms__events", "lms_event", "lms_signal", "int_quiz_submissions"} <= event_models < every_model
    assert not event_models & {"lms_class", "stg_lms__classes", "mooc_grades"}
    _assert_equals_a_full_refresh(warehouse_path, later)

    # any other dbt run may change rows: the next build is a whole one
    assert run_dbt(dbt_build_args(later, select="lms_event").with_args("--exclude-resource-type", "test")).success
    assert not build_warehouse(later).up_to_date
    assert _models_run(target_dir()) == every_model


def _assert_equals_a_full_refresh(warehouse_path: Path, as_of: datetime) -> None:
    built = _fingerprints(warehouse_path)
    assert build_warehouse(as_of, full_refresh=True).success
    assert differences(built, _fingerprints(warehouse_path)) == []
