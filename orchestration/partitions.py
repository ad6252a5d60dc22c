"""Daily UTC partitions of event ingestion and of the incremental dbt models.

Partition `YYYY-MM-DD` is the landing folder `LMS_LANDING_DIR/YYYY-MM-DD/` and, for dbt, the window
[day 00:00, next day 00:00) UTC passed as the vars `partition_start` / `partition_end`. Today's
partition exists already (`end_offset=1`), so the hourly run and the sensor can fill the current day.
"""

import os
from datetime import UTC, datetime

from dagster import AssetExecutionContext, DailyPartitionsDefinition

# The first day that has partitions; events before it are still landed and built by unpartitioned runs.
PARTITIONS_START = os.environ.get("LMS_PARTITIONS_START") or "2024-01-01"

daily_event_partitions = DailyPartitionsDefinition(start_date=PARTITIONS_START, timezone="UTC", end_offset=1)


def partition_window(context: AssetExecutionContext) -> tuple[datetime, datetime] | None:
    """The run's partition window (one day, or a backfill's range) as naive UTC datetimes; None if unpartitioned."""
    if not _is_partitioned_run(context):
        return None
    window = context.partition_time_window
    return _naive_utc(window.start), _naive_utc(window.end)


def partition_days(context: AssetExecutionContext) -> list[str] | None:
    """The partition keys (days) this run covers for the given context; None if the run is unpartitioned."""
    if not _is_partitioned_run(context):
        return None
    return list(context.partition_keys)


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _is_partitioned_run(context: AssetExecutionContext) -> bool:
    """One partition, or a range of them (a single-run backfill); an unpartitioned run has neither."""
    return context.has_partition_key or context.has_partition_key_range
