"""The demo's MOOC and H5P sources: weekly snapshots served by the simulator and fetched over HTTP.

The servers' state moves with the learners' events, so the demo fetches it as it was on several past
days (the ingestion clock set to that day): `raw_data_daily` then finds, for each as-of date, the grades
and progress a data scientist would have seen on that date, never later ones.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import httpx

from ingestion.h5p import ingest_h5p
from ingestion.mooc_export import ingest_mooc_export
from ingestion.warehouse import connect
from lms_warehouse.demo_data import Catalog
from simulator.mooc_api import create_app

BASE_URL = "http://mooc-simulator.demo"
MOOC_SNAPSHOTS_DAYS_BEFORE = (21, 14, 7, 0)  # fast: a few pages per course
H5P_SNAPSHOTS_DAYS_BEFORE = (7, 0)  # one request per learner, course and endpoint: fewer snapshots


def fetch_demo_exports(
    catalog: Catalog,
    events: Sequence[dict],
    now: datetime,
    seed: int,
    progress: Callable[[str], None],
) -> list[str]:
    """Fetch every snapshot; returns one summary line per fetch."""
    from lms_warehouse.demo_mooc import build_mooc_dataset

    course_ids = [course["id"] for course in catalog.courses]
    lines = []
    for days_before in sorted(set(MOOC_SNAPSHOTS_DAYS_BEFORE) | set(H5P_SNAPSHOTS_DAYS_BEFORE), reverse=True):
        day = now - timedelta(days=days_before)
        past_events = [event for event in events if event["occurred_at"] <= day]
        dataset = build_mooc_dataset(catalog, past_events, day, random.Random(seed))
        transport = httpx.ASGITransport(app=create_app(dataset))
        con = connect()
        try:
            if days_before in MOOC_SNAPSHOTS_DAYS_BEFORE:
                result = ingest_mooc_export(con, BASE_URL, course_ids, clock=lambda day=day: day,
                                            transport=transport, progress=progress)
                lines.append(f"mooc as of {day:%Y-%m-%d}: {result.summary()}")
            if days_before in H5P_SNAPSHOTS_DAYS_BEFORE:
                result = ingest_h5p(con, BASE_URL, course_ids, clock=lambda day=day: day,
                                    transport=transport, progress=progress)
                lines.append(f"h5p as of {day:%Y-%m-%d}: {result.summary()}")
        finally:
            con.close()
    return lines
