"""Daily UTC partitions of event ingestion.

Partition `YYYY-MM-DD` is the landing folder `LMS_LANDING_DIR/YYYY-MM-DD/`: a day's run lands that folder
only. Today's partition exists already (`end_offset=1`). The dbt assets are not partitioned
(orchestration/assets/dbt.py). The hourly refresh, `lms-warehouse run` and the sensor's run for undated
files are runs of today's partition tagged `lms/landing_scope=all`, which makes the landing asset read the
whole folder.
"""

import os
from datetime import UTC, datetime

from dagster import AssetExecutionContext, DailyPartitionsDefinition

# The first day that has partitions; files of earlier days are still landed, by the whole-folder runs.
PARTITIONS_START = os.environ.get("LMS_PARTITIONS_START") or "2024-01-01"

daily_event_partitions = DailyPartitionsDefinition(start_date=PARTITIONS_START, timezone="UTC", end_offset=1)

# A run tagged so lands every file of LMS_LANDING_DIR (dated folders and the rest), whatever its partition.
LANDING_SCOPE_TAG = "lms/landing_scope"
WHOLE_LANDING_DIR = {LANDING_SCOPE_TAG: "all"}

# A run tagged so pulls every statement of the LRS again (`ingest xapi --full`): the weekly full pull.
XAPI_PULL_TAG = "lms/xapi_pull"
FULL_XAPI_PULL = {XAPI_PULL_TAG: "full"}


def current_partition_key(moment: datetime | None = None) -> str:
    """The partition of the UTC day of `moment` (default now), clamped to the partitions that exist."""
    if moment is None:
        return daily_event_partitions.get_last_partition_key()
    key = moment.astimezone(UTC).strftime("%Y-%m-%d") if moment.tzinfo else moment.strftime("%Y-%m-%d")
    first = daily_event_partitions.get_first_partition_key()
    last = daily_event_partitions.get_last_partition_key()
    return min(max(key, first), last)


def partition_days(context: AssetExecutionContext) -> list[str] | None:
    """The days whose landing folders this run reads; None for the whole folder (tagged, or unpartitioned)."""
    if _reads_whole_folder(context):
        return None
    return list(context.partition_keys)


def _reads_whole_folder(context: AssetExecutionContext) -> bool:
    """Tagged `lms/landing_scope=all`, or with no partition at all (an asset materialized on its own)."""
    partitioned = context.has_partition_key or context.has_partition_key_range
    return not partitioned or context.run.tags.get(LANDING_SCOPE_TAG) == "all"
