"""The jobs: the whole graph, the daily event partitions with what they feed, and the exports."""

from __future__ import annotations

from dagster import AssetKey, AssetSelection, define_asset_job, in_process_executor

LANDED_EVENTS = AssetKey(["landing", "lms_events"])

# DuckDB allows one writer per file: running the steps in one process, one after the other,
# keeps a run from ever competing with itself for the lock.
lms_warehouse_job = define_asset_job(
    name="lms_warehouse_job",
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    description="Ingest everything configured, then dbt build (models, seeds, tests). Run without a "
    "partition (the hourly schedule, `lms-warehouse run`) it reads the whole landing folder.",
)

# Partitioned by UTC day (the partitions of landing/lms_events and the incremental dbt models): a run
# for a day lands LMS_LANDING_DIR/<day>/ and rebuilds everything downstream of the landed events, with
# the dbt nodes those read (seeds, catalog staging) but not the other sources' ingestion.
_fed_by_events = AssetSelection.assets(LANDED_EVENTS).downstream()
events_job = define_asset_job(
    name="events_job",
    selection=_fed_by_events | (_fed_by_events.upstream() - AssetSelection.groups("landing", "exports")),
    executor_def=in_process_executor,
    description="Land one day's event folder (or a backfill's range of days), then build what depends on it.",
)

# The `exports` group may be empty (the exports assets are added separately): the job then runs nothing.
exports_job = define_asset_job(
    name="exports_job",
    selection=AssetSelection.groups("exports"),
    executor_def=in_process_executor,
    description="Every asset of the `exports` group.",
)
