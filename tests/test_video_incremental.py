"""xAPI viewings in incremental builds: statements of one viewing spread over several batches give the same
marts (signals, progress, video analytics) as a full rebuild, although the statements name the video and
not the class it maps to."""

from __future__ import annotations

import gzip
import json
import random
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
from warehouse_cli import query, run_commands

from lms_warehouse.demo_data import build_catalog, generate_events, to_json_line
from lms_warehouse.demo_xapi import DEMO_XAPI_START, write_demo_xapi
from lms_warehouse.fingerprint import differences, mart_fingerprints

BATCHES = 3


def test_incremental_builds_with_xapi_equal_a_full_refresh(tmp_path: Path) -> None:
    rng = random.Random(11)
    catalog = build_catalog(40, DEMO_XAPI_START - timedelta(days=30), rng)
    catalog_dir = tmp_path / "catalog"
    catalog_dir.mkdir()
    for name, rows in (("student", catalog.students), ("instructor", catalog.instructors),
                       ("course", catalog.courses), ("class", catalog.classes)):
        (catalog_dir / f"lms_{name}.json").write_text(json.dumps(rows))
    statements_file = write_demo_xapi(tmp_path / "generated", catalog, rng)
    with gzip.open(statements_file, "rt", encoding="utf-8") as handle:
        statements = [line for line in handle if line.strip()]
    pings = [to_json_line(e, f"evt-{n}") + "\n" for n, e in enumerate(
        generate_events(catalog, DEMO_XAPI_START, 6, rng), start=1)]
    # every statement and event in one of three batches, by time: a viewing's sessions end up in several
    cut = [DEMO_XAPI_START + timedelta(days=d) for d in (4, 8)]

    def batch_of(line: str) -> int:
        record = json.loads(line)
        moment = datetime.fromisoformat((record.get("timestamp") or record.get("occurred_at") or "")[:19])
        return sum(moment >= c for c in cut)

    warehouse = tmp_path / "lms.duckdb"
    run_commands(warehouse, ("ingest", "catalog", str(catalog_dir)))
    for number in range(BATCHES):
        path = tmp_path / "events" / f"batch{number}.ndjson"
        path.parent.mkdir(exist_ok=True)
        path.write_text("".join(line for line in statements + pings if batch_of(line) == number))
        run_commands(warehouse, ("ingest", "events", str(path)),
                     ("build", "--as-of", (cut[-1] + timedelta(days=10)).isoformat()))

    xapi_signals = query(
        warehouse,
        "select count(*) from lms_signal s inner join intermediate.int_video_viewing_classes v "
        "on s.student_id = v.student_id and s.class_id = v.class_id and s.type = 'VIDEO_COMPLETED'",
    )
    assert xapi_signals[0][0] > 0, "the fixture must complete some classes from xAPI viewings"
    incremental = _marts(warehouse)
    run_commands(warehouse, ("build", "--as-of", (cut[-1] + timedelta(days=10)).isoformat(), "--full-refresh"))
    full = _marts(warehouse)
    assert incremental["v_video_viewing"].rows > 0
    assert differences(incremental, full) == []


def _marts(warehouse: Path) -> dict:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return mart_fingerprints(con)
    finally:
        con.close()
