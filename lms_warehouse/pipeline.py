"""`lms-warehouse run`: the scheduled Dagster job, executed in this process."""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from dbt_runner.console import QUIET_CONSOLE_ENV, stage, verbose
from dbt_runner.run import MANIFEST_PATH, environment, point_dbt_at_warehouse, prepare_manifest
from dbt_runner.timeutil import as_of_var
from ingestion.warehouse import PROJECT_DIR

MAX_CHECK_LINES = 3  # checks that did not pass, the largest named one per line in the run's output


@dataclass(frozen=True)
class RunOutcome:
    success: bool
    run_id: str
    lines: list[str]


def use_project_dagster_home() -> Path:
    """$DAGSTER_HOME, else the project's `.dagster_home` (the instance `make dagster` opens), holding the
    project's instance settings: the demo's runs and check results then show in the UI."""
    home = Path(os.environ.get("DAGSTER_HOME") or PROJECT_DIR / ".dagster_home")
    home.mkdir(parents=True, exist_ok=True)
    settings = home / "dagster.yaml"
    if not settings.exists():
        shutil.copyfile(PROJECT_DIR / "orchestration" / "dagster.yaml", settings)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def _instance():
    from dagster import DagsterInstance

    # With DAGSTER_HOME set, runs are recorded where `dagster dev` shows them; else they leave no trace.
    return DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()


def _failed_rows(check: Any) -> int:
    """The failing rows dagster-dbt records on a dbt test's check evaluation (0 when not recorded)."""
    value = (check.metadata or {}).get("dagster_dbt/failed_row_count")
    return int(getattr(value, "value", value) or 0)


def run_pipeline(as_of: datetime | None = None, full_refresh: bool = False) -> RunOutcome:
    """Ingest every configured source, then dbt build: the job the hourly schedule runs."""
    point_dbt_at_warehouse()
    if not MANIFEST_PATH.exists():
        prepare_manifest()
    from orchestration.definitions import defs  # Dagster is slow to import: only for `run`/`demo`
    from orchestration.partitions import WHOLE_LANDING_DIR, current_partition_key
    from orchestration.run_config import build_run_config

    job = defs.resolve_job_def("lms_warehouse_job")
    run_config = build_run_config(job, as_of=as_of_var(as_of) if as_of else None, full_refresh=full_refresh)
    log_level = "INFO" if verbose() else "ERROR"  # Dagster's and dbt's own lines: with --verbose only
    quiet = {} if verbose() else {QUIET_CONSOLE_ENV: "1"}
    with (_instance() as instance, environment(quiet),
          stage("running lms_warehouse_job: ingest, then dbt build")):
        if not verbose():  # after the instance: loading it configures Dagster's loggers
            for name in ("dagster", "dagster._core.execution.plan.active"):
                logging.getLogger(name).setLevel(logging.ERROR)
        # Today's partition, reading the whole landing folder: what the hourly schedule runs.
        result = job.execute_in_process(
            instance=instance,
            run_config={**run_config, "loggers": {"console": {"config": {"log_level": log_level}}}},
            partition_key=current_partition_key(),
            tags=WHOLE_LANDING_DIR,
            raise_on_error=False,
        )
    lines = []
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data:
            error = event.step_failure_data.error
            lines.append(f"step {event.step_key} failed: {error.message.strip().splitlines()[0] if error else ''}")
    materialized = sum(1 for e in result.all_events if e.is_step_materialization)
    checks = [e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    failed = sum(1 for c in checks if not c.passed and c.severity.value == "ERROR")
    warned = sum(1 for c in checks if not c.passed and c.severity.value != "ERROR")
    not_passed = sorted((c for c in checks if not c.passed), key=lambda c: (c.severity.value != "ERROR",
                                                                              -_failed_rows(c)))
    for check in not_passed[:MAX_CHECK_LINES]:
        reason = f": {check.description}" if check.description else ""
        rows = f" ({_failed_rows(check):,} rows)" if _failed_rows(check) else ""
        target = f"{check.asset_key.to_user_string()} {check.check_name}"
        lines.append(f"check {check.severity.value.lower()}: {target}{rows}{reason}")
    if len(not_passed) > MAX_CHECK_LINES:
        lines.append(f"... and {len(not_passed) - MAX_CHECK_LINES} more checks that did not pass: every one in the "
                     f"Dagster UI (`make dagster`, run {result.run_id[:8]})")
    lines.append(
        f"run {result.run_id[:8]}: {materialized} assets materialized; checks: "
        f"{len(checks) - failed - warned} passed, {warned} warned, {failed} failed"
    )
    return RunOutcome(success=result.success, run_id=result.run_id, lines=lines)
