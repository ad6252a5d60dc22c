"""A demo-shaped warehouse for the raw_data tests: demo learners' events and catalog, and weekly MOOC/H5P
fetches of `build_mooc_dataset`, served by the simulator and landed by the real HTTP ingestion, exactly as
the demo does (devtools/demo/exports.py)."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path

from devtools.demo.data import build_catalog, generate_events, to_json_line
from devtools.demo.exports import fetch_demo_exports
from ingestion.catalog import ingest_catalog_dir
from ingestion.events import ingest_event_paths
from ingestion.warehouse import write_session


def land_demo_warehouse(
    folder: Path, *, now: datetime, days: int, students: int, seed: int, fetch_every_days: int = 7
) -> None:
    """Land `students` demo learners over `days` days before `now`, and a MOOC fetch every few days."""
    rng = random.Random(seed)
    start = (now - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
    catalog = build_catalog(students, start - timedelta(days=30), rng)
    events = sorted(generate_events(catalog, start, days, rng), key=lambda e: e["occurred_at"])
    catalog_dir, events_dir = folder / "catalog", folder / "events"
    catalog_dir.mkdir(parents=True, exist_ok=True)
    events_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in (("student", catalog.students), ("instructor", catalog.instructors),
                       ("course", catalog.courses), ("class", catalog.classes)):
        (catalog_dir / f"lms_{name}.json").write_text(json.dumps(rows))
    lines = [to_json_line(event, f"evt-{n:08d}") for n, event in enumerate(events, start=1)]
    (events_dir / "events.ndjson").write_text("\n".join(lines) + "\n")
    with write_session() as con:
        ingest_catalog_dir(con, catalog_dir, organization_id="default")
        ingest_event_paths(con, [events_dir], organization_id="default")
    fetch_demo_exports(catalog, events, start, now, rng, every_days=fetch_every_days)
