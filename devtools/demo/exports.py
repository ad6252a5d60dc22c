"""The demo's MOOC and H5P sources: weekly snapshots served by the simulator and fetched over HTTP.

The servers' state moves with the learners' events, so the demo fetches it as it was on past days (the
ingestion clock set to that day, the simulator serving what the learners had done by then): `raw_data_daily`
then finds, for each as-of date, the grades and progress a data scientist would have seen on that date,
never later ones. The fetches go through the real ingestion (`ingest_mooc_export`, `ingest_h5p`) over
httpx's in-process ASGI transport, so the demo needs no server and no network.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import duckdb
import httpx

from devtools.demo.data import Catalog
from devtools.demo.mooc import build_mooc_dataset
from devtools.simulators.mooc_api import create_app
from ingestion.h5p import ingest_h5p
from ingestion.mooc_export import ingest_mooc_export
from ingestion.warehouse import write_session

BASE_URL = "http://mooc-simulator.demo"
FETCH_EVERY_DAYS = 7
FIRST_FETCH_AFTER = timedelta(hours=23)  # the first fetch runs on the evening of the first day


def fetch_times(start: datetime, now: datetime, every_days: int = FETCH_EVERY_DAYS) -> list[datetime]:
    """One fetch every `every_days` days from the first day's evening, and a last one at `now` (the
    current state) when the schedule did not just fetch it."""
    times, fetched_at = [], start + FIRST_FETCH_AFTER
    while fetched_at <= now:
        times.append(fetched_at)
        fetched_at += timedelta(days=every_days)
    if not times or times[-1] < now:
        times.append(now)
    return times


def land_fetch(
    con: duckdb.DuckDBPyConnection,
    dataset: dict,
    fetched_at: datetime,
    progress: Callable[[str], None] | None = None,
) -> list[str]:
    """`ingest mooc` then `ingest h5p` of every course of the dataset, as if run at `fetched_at`.

    Returns one summary line per source; a failed request raises (the simulator has no faults here).
    """
    courses = sorted(dataset["courses"])
    lines = []
    for source, ingest in (("mooc", ingest_mooc_export), ("h5p", ingest_h5p)):
        transport = httpx.ASGITransport(create_app(dataset))
        result = ingest(con, BASE_URL, courses, token="demo", transport=transport,
                        clock=lambda: fetched_at, progress=progress)
        if result.failures:
            raise RuntimeError(f"demo {source} fetch failed: " + "; ".join(result.failure_lines()))
        lines.append(f"{source} as of {fetched_at:%Y-%m-%d %H:%M}: {result.summary()}")
    return lines


def fetch_demo_exports(
    catalog: Catalog,
    events: Sequence[dict],
    start: datetime,
    now: datetime,
    rng: random.Random,
    progress: Callable[[str], None] | None = None,
    every_days: int = FETCH_EVERY_DAYS,
) -> list[str]:
    """Land a MOOC and an H5P snapshot every `every_days` days; events carry datetime `occurred_at`."""
    lines, all_events = [], list(events)
    with write_session(progress=progress) as con:
        for fetched_at in fetch_times(start, now, every_days):
            dataset = build_mooc_dataset(catalog, all_events, fetched_at, rng)
            lines.extend(land_fetch(con, dataset, fetched_at, progress))
    return lines
