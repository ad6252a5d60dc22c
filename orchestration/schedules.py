"""When the warehouse refreshes on its own (UTC)."""

from __future__ import annotations

from dagster import DefaultScheduleStatus, ScheduleDefinition

from orchestration.jobs import exports_job, lms_warehouse_job

# Events hourly: the whole graph, unpartitioned: every new file in LMS_LANDING_DIR is landed (dated
# folders included; already landed files add nothing), then every model is built.
hourly_refresh = ScheduleDefinition(
    name="hourly_refresh",
    job=lms_warehouse_job,
    cron_schedule="0 * * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
)

# Exports nightly, after the 01:00 refresh has landed the previous day.
nightly_exports = ScheduleDefinition(
    name="nightly_exports",
    job=exports_job,
    cron_schedule="30 1 * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
)
