"""A sensor on LMS_LANDING_DIR: new or changed event files request a run of the days they belong to.

The cursor is a JSON map of every event file seen (path relative to the landing folder -> mtime in ns);
a file is new when its path is not in it or its mtime changed. Files in a dated folder
`YYYY-MM-DD/` request the events job for that partition; any other file (or a dated folder outside
the partition range) requests one run of today's partition tagged to read the whole folder.
"""

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SensorResult, SkipReason, sensor

from ingestion.landing_layout import LandedFile, scan_landing_dir
from orchestration.jobs import events_job
from orchestration.partitions import WHOLE_LANDING_DIR, current_partition_key, daily_event_partitions
from orchestration.resources import LmsSources

UNPARTITIONED = "unpartitioned"


def _run_key(group: str, files: Iterable[LandedFile]) -> str:
    digest = hashlib.sha256("\n".join(f"{f.relative_path}@{f.mtime_ns}" for f in files).encode()).hexdigest()
    return f"{group}:{digest[:16]}"


def plan_landing_runs(
    files: list[LandedFile], seen: dict[str, int], valid_days: set[str]
) -> tuple[list[RunRequest], dict[str, int]]:
    """Run requests for the files not in `seen` (or changed since), and the cursor to store next."""
    fresh: dict[str, list[LandedFile]] = defaultdict(list)
    for landed in files:
        if seen.get(landed.relative_path) != landed.mtime_ns:
            group = landed.day if landed.day in valid_days else UNPARTITIONED
            fresh[group].append(landed)
    requests = []
    for group, group_files in sorted(fresh.items()):
        tags = {"lms/new_files": str(len(group_files))}
        if group == UNPARTITIONED:  # today's partition, reading the whole folder
            tags |= WHOLE_LANDING_DIR
            partition = current_partition_key()
        else:
            partition = group
        requests.append(RunRequest(run_key=_run_key(group, group_files), partition_key=partition, tags=tags))
    return requests, {landed.relative_path: landed.mtime_ns for landed in files}


@sensor(
    name="landing_files_sensor",
    job=events_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description="Requests a run of events_job for each day whose folder in LMS_LANDING_DIR got new files.",
)
def landing_files_sensor(context: SensorEvaluationContext, sources: LmsSources) -> SensorResult | SkipReason:
    folder = sources.events_dir()
    if folder is None or not folder.is_dir():
        return SkipReason(f"LMS_LANDING_DIR is not set or not a folder ({folder})")
    seen: dict[str, int] = json.loads(context.cursor) if context.cursor else {}
    files = scan_landing_dir(folder)
    days = {landed.day for landed in files if landed.day}
    valid_days = {day for day in days if daily_event_partitions.has_partition_key(day)}
    requests, cursor = plan_landing_runs(files, seen, valid_days)
    if not requests:
        return SensorResult(skip_reason=SkipReason(f"no new event files in {folder}"), cursor=json.dumps(cursor))
    context.log.info(f"{sum(int(r.tags['lms/new_files']) for r in requests)} new event file(s): "
                     f"{len(requests)} run(s) requested")
    return SensorResult(run_requests=requests, cursor=json.dumps(cursor))
