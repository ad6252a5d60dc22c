"""End to end: the Dagster job (the one the schedule runs) from fixture files to exact marts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from lms_warehouse.pipeline import run_pipeline

pytestmark = pytest.mark.e2e  # builds the warehouse with dbt (left out of `make test-fast`)

FIXTURE = Path(__file__).parent / "fixtures" / "e2e"
AS_OF = datetime(2024, 3, 4, 18, 0, 0)
T = datetime.fromisoformat


@pytest.fixture(scope="module")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("e2e") / "lms.duckdb"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LMS_WAREHOUSE_PATH", str(path))
        env.setenv("LMS_LANDING_DIR", str(FIXTURE / "events"))
        env.setenv("LMS_CATALOG_DIR", str(FIXTURE / "catalog"))
        outcome = run_pipeline(as_of=AS_OF)
    assert outcome.success, outcome.lines
    return path


def _rows(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_definitions_load() -> None:
    from dagster import Definitions

    from orchestration.definitions import defs

    Definitions.validate_loadable(defs)
    job = defs.resolve_job_def("lms_warehouse_job")
    keys = {key.to_user_string() for key in job.asset_layer.asset_graph.get_all_asset_keys()}
    assert {"landing/lms_events", "landing/catalog_classes", "main/lms_signal", "main/v_user_progress"} <= keys


def test_dbt_sources_are_the_ingestion_assets() -> None:
    from dagster import AssetKey

    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    events_parents = graph.get(AssetKey(["staging", "stg_lms__events"])).parent_keys
    classes_parents = graph.get(AssetKey(["staging", "stg_lms__classes"])).parent_keys
    assert AssetKey(["landing", "lms_events"]) in events_parents
    assert AssetKey(["landing", "catalog_classes"]) in classes_parents


def test_batch_counts_reconcile(built_warehouse: Path) -> None:
    rows = _rows(built_warehouse, "select records_read, accepted, duplicates, rejected from landing.ingest_batches "
                                  "where kind = 'events'")
    assert rows == [(14, 11, 1, 2)]


def test_user_progress_rows(built_warehouse: Path) -> None:
    rows = _rows(built_warehouse, """
        select student_id, class_id, course_id, video_max_position_sec, video_duration_sec, video_completed,
               video_completed_at, quiz_passed, quiz_score, quiz_max_score, quiz_passed_at, updated_at
        from main.v_user_progress order by student_id, class_id""")
    assert rows == [
        ("S1", "K1", "C1", 90, 100, 1, T("2024-03-01 10:01:00"), 0, None, None, None, T("2024-03-01 10:01:00")),
        ("S1", "K2", "C1", 110, 120, 1, T("2024-03-02 09:05:00"), 1, 8, 10, T("2024-03-02 09:20:00"),
         T("2024-03-02 09:20:00")),
        ("S1", "K3", "C1", None, None, 0, None, 1, 10, 10, T("2024-03-03 08:00:00"), T("2024-03-03 08:30:00")),
        ("S2", "K1", "C1", 89.9, 100, 0, None, 0, None, None, None, T("2024-03-03 12:00:00")),
        ("S2", "K5", "C2", 95, 100, 1, T("2024-03-04 12:00:00"), 0, None, None, None, T("2024-03-04 12:00:00")),
    ]


def test_signal_rows(built_warehouse: Path) -> None:
    rows = _rows(built_warehouse, """
        select type, student_id, course_id, class_id, source_event_ids, created_at
        from main.lms_signal order by student_id, created_at, type""")
    assert rows == [
        ("STEP_COMPLETED", "S1", "C1", "K1", '["e02"]', T("2024-03-01 10:01:00")),
        ("VIDEO_COMPLETED", "S1", "C1", "K1", '["e02"]', T("2024-03-01 10:01:00")),
        ("VIDEO_COMPLETED", "S1", "C1", "K2", '["e04"]', T("2024-03-02 09:05:00")),
        ("QUIZ_PASSED", "S1", "C1", "K2", '["e06"]', T("2024-03-02 09:20:00")),
        ("STEP_COMPLETED", "S1", "C1", "K2", '["e04","e06"]', T("2024-03-02 09:20:00")),
        ("COURSE_COMPLETED", "S1", "C1", None, '["e02","e04","e06","e07"]', T("2024-03-03 08:00:00")),
        ("QUIZ_PASSED", "S1", "C1", "K3", '["e07"]', T("2024-03-03 08:00:00")),
        ("STEP_COMPLETED", "S1", "C1", "K3", '["e07"]', T("2024-03-03 08:00:00")),
        ("COURSE_COMPLETED", "S2", "C2", None, '["e10"]', T("2024-03-04 12:00:00")),
        ("STEP_COMPLETED", "S2", "C2", "K5", '["e10"]', T("2024-03-04 12:00:00")),
        ("VIDEO_COMPLETED", "S2", "C2", "K5", '["e10"]', T("2024-03-04 12:00:00")),
    ]


@pytest.mark.slow
def test_signal_ids_are_unique_and_stable(built_warehouse: Path, tmp_path: Path) -> None:
    first = _rows(built_warehouse, "select id, type, student_id, class_id from main.lms_signal order by id")
    assert len({row[0] for row in first}) == len(first)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LMS_WAREHOUSE_PATH", str(built_warehouse))
        env.delenv("LMS_LANDING_DIR", raising=False)
        env.delenv("LMS_CATALOG_DIR", raising=False)
        assert run_pipeline(as_of=AS_OF, full_refresh=True).success
    assert _rows(built_warehouse, "select id, type, student_id, class_id from main.lms_signal order by id") == first


def test_course_progress_and_monitoring(built_warehouse: Path) -> None:
    progress = _rows(built_warehouse, """
        select student_id, course_id, classes_total, classes_completed, progress_pct, is_completed, completed_at
        from main.v_course_progress order by 1, 2""")
    assert progress == [
        ("S1", "C1", 3, 3, 100, 1, T("2024-03-03 08:00:00")),
        ("S2", "C1", 3, 0, 0, 0, None),
        ("S2", "C2", 1, 1, 100, 1, T("2024-03-04 12:00:00")),
    ]
    activity = _rows(built_warehouse, "select student_id, events_24h, streak_days from main.v_user_activity order by 1")
    # as of 2024-03-04 18:00: S2 was active on 03-03 and 03-04 (2 events in the last 24 h); S1 last on 03-03.
    assert activity == [("S1", 0, 3), ("S2", 2, 2)]
    daily = _rows(built_warehouse, "select type, sum(count) from main.v_event_daily_stats group by 1 order by 1")
    assert daily == [("PAGE_VIEW", 1), ("QUIZ_SUBMIT", 4), ("VIDEO_PING", 6)]
