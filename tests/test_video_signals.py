"""xAPI viewings feed VIDEO_COMPLETED through the same rule as pings: mapped by catalog media or by the seed,
only for pairs without pings; unmapped videos get analytics but no signal. Built through the command line."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from catalog_factory import catalog, klass, write_catalog
from event_factory import ping, write_lines
from warehouse_cli import query, run_commands

from ingestion.warehouse import PROJECT_DIR

pytestmark = pytest.mark.e2e  # builds the warehouse with dbt (left out of `make test-fast`)

VIDEO = "https://w3id.org/xapi/video/"
MEDIA_VIDEO = "https://video.example/a"
UNMAPPED_VIDEO = "https://video.example/unmapped"


def _seed_mapping() -> tuple[str, str]:
    with (PROJECT_DIR / "seeds" / "video_object_class_map.csv").open(newline="") as handle:
        row = next(csv.DictReader(handle))
    return row["object_id"], row["class_id"]


def paused(statement_id: str, student: str, video: str, segments: str, at: str, session: str = "s") -> dict[str, Any]:
    return {
        "id": statement_id,
        "actor": {"objectType": "Agent", "account": {"name": student, "homePage": "https://lms.example"}},
        "verb": {"id": f"{VIDEO}verbs/paused"},
        "object": {"id": video, "definition": {"type": f"{VIDEO}activity-type/video"}},
        "result": {"extensions": {f"{VIDEO}extensions/played-segments": segments}},
        "context": {"extensions": {f"{VIDEO}extensions/session-id": session, f"{VIDEO}extensions/length": 100},
                    "contextActivities": {"parent": [{"id": "crs-1", "definition": {
                        "type": "http://adlnet.gov/expapi/activities/course"}}]}},
        "timestamp": at,
    }


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("video_signals")
    seed_object, seed_class = _seed_mapping()
    data = catalog(students=4)
    data["class"] = [
        klass(1, media=[{"url": MEDIA_VIDEO, "type": "VIDEO"}]),
        klass(2, id=seed_class, media=[]),
    ]
    write_catalog(folder / "catalog", data)
    events = [
        paused("x1", "stu-1", MEDIA_VIDEO, "0[.]60", "2026-01-10T10:00:00Z"),
        paused("x2", "stu-1", MEDIA_VIDEO, "0[.]60[,]55[.]95", "2026-01-10T10:05:00Z"),
        paused("x3", "stu-2", MEDIA_VIDEO, "0[.]50", "2026-01-10T10:00:00Z", session="a"),
        paused("x4", "stu-2", MEDIA_VIDEO, "40[.]89", "2026-01-11T10:00:00Z", session="b"),
        paused("x5", "stu-3", seed_object, "0[.]90", "2026-01-12T10:00:00Z"),
        paused("x6", "stu-1", UNMAPPED_VIDEO, "0[.]100", "2026-01-12T10:00:00Z"),
        paused("x7", "stu-4", MEDIA_VIDEO, "0[.]100", "2026-01-12T10:00:00Z"),
        ping("p-1", student_id="stu-4", class_id="cls-1", occurred_at="2026-01-12T11:00:00Z",
             payload={"video_id": "v", "position": 10, "duration": 100}),
    ]
    write_lines(folder / "events" / "mixed.ndjson", events)
    path = folder / "lms.duckdb"
    run_commands(
        path,
        ("ingest", "catalog", str(folder / "catalog")),
        ("ingest", "events", str(folder / "events")),
        ("build", "--as-of", "2026-02-01T00:00:00Z"),
    )
    return path


def test_video_completed_only_for_mapped_viewings_without_pings(warehouse):
    _, seed_class = _seed_mapping()
    signals = query(
        warehouse,
        "select student_id, class_id, created_at::varchar, source_event_ids from lms_signal "
        "where type = 'VIDEO_COMPLETED' order by student_id",
    )
    assert [(s, c, at) for s, c, at, _ in signals] == [
        ("stu-1", "cls-1", "2026-01-10 10:05:00"),  # 95 unique seconds: the second statement completes
        ("stu-3", seed_class, "2026-01-12 10:00:00"),  # exactly 90 %, mapped by the seed
    ]
    assert json.loads(signals[0][3]) == ["x2"]


def test_step_and_progress_follow_the_viewing(warehouse):
    steps = query(warehouse, "select student_id, class_id from lms_signal where type = 'STEP_COMPLETED'")
    assert ("stu-1", "cls-1") in steps
    progress = {
        (s, c): (done, at)
        for s, c, done, at in query(
            warehouse, "select student_id, class_id, video_completed, video_completed_at::varchar from v_user_progress")
    }
    assert progress[("stu-1", "cls-1")] == (1, "2026-01-10 10:05:00")
    assert progress[("stu-2", "cls-1")] == (0, None)  # 89 unique seconds over two sessions
    assert progress[("stu-4", "cls-1")] == (0, None)  # has pings: the ping rule alone decides


def test_unmapped_videos_still_get_analytics(warehouse):
    rows = query(
        warehouse,
        "select student_id, video_id, class_id, unique_seconds_watched, rewatched_seconds, is_completed "
        "from v_video_viewing order by student_id, video_id",
    )
    assert ("stu-1", UNMAPPED_VIDEO, None, 100.0, 0.0, 1) in rows
    assert ("stu-1", MEDIA_VIDEO, "cls-1", 95.0, 5.0, 1) in rows
    assert ("stu-2", MEDIA_VIDEO, "cls-1", 89.0, 10.0, 0) in rows
