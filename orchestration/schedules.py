"""When the warehouse refreshes on its own."""

from __future__ import annotations

from dagster import DefaultScheduleStatus, ScheduleDefinition

from orchestration.jobs import lms_warehouse_job

hourly_refresh = ScheduleDefinition(
    name="hourly_refresh",
    job=lms_warehouse_job,
    cron_schedule="0 * * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
)
