"""xAPI viewings in incremental builds: statements of one viewing spread over several batches give the same
marts (signals, progress, video analytics) as a full rebuild, although the statements name the video and
not the class it maps to."""

from __future__ import annotations

import gzip
import json
import random
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from warehouse_cli import query, run_commands

from devtools.demo.data import build_catalog, generate_events, to_json_line
from devtools.demo.xapi import DEMO_VIDEOS, DEMO_XAPI_START, write_demo_xapi
from lms_warehouse.fingerprint import differences, file_fingerprints

BATCHES = 3


@pytest.mark.slow
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
    _assert_lms_event_class_ids_are_catalog_classes(warehouse)

    # A new catalog version lists the seed-mapped H5P object in another class's media: an incremental build
    # maps the already built xAPI events again (media wins over the seed), as a full rebuild would.
    h5p_object = DEMO_VIDEOS[1][0]
    seed_class = query(warehouse, "select distinct class_id from lms_event where object_iri = ?", [h5p_object])
    new_class = next(c for c in catalog.classes if (c["id"],) not in seed_class and c.get("course_id"))
    new_class["media"] = [*new_class.get("media", []), {"url": h5p_object, "type": "VIDEO"}]
    (catalog_dir / "lms_class.json").write_text(json.dumps(catalog.classes))
    run_commands(warehouse, ("ingest", "catalog", str(catalog_dir)),
                 ("build", "--as-of", (cut[-1] + timedelta(days=10)).isoformat()))
    remapped = query(warehouse, "select distinct class_id from lms_event where object_iri = ?", [h5p_object])
    assert remapped == [(new_class["id"],)], (seed_class, remapped)
    _assert_lms_event_class_ids_are_catalog_classes(warehouse)

    incremental = file_fingerprints(warehouse)
    run_commands(warehouse, ("build", "--as-of", (cut[-1] + timedelta(days=10)).isoformat(), "--full-refresh"))
    full = file_fingerprints(warehouse)
    assert incremental["v_video_viewing"].rows > 0
    assert differences(incremental, full) == []


def _assert_lms_event_class_ids_are_catalog_classes(warehouse: Path) -> None:
    """xAPI events keep their object in object_iri; class_id holds only the tenant's catalog classes."""
    total, with_object, mapped, foreign = query(
        warehouse,
        "select count(*), count(object_iri), count(class_id), "
        "count(*) filter (where class_id is not null and not exists ("
        "  select 1 from lms_class c where c.organization_id = e.organization_id and c.id = e.class_id)) "
        "from lms_event e where json_extract_string(context_json, '$.source') = 'xapi'",
    )[0]
    assert total > 0 and with_object == total, (total, with_object)
    assert mapped > 0, "the fixture's xAPI objects map to classes (catalog media and seed)"
    assert foreign == 0
