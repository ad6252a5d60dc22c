"""When the warehouse refreshes on its own (UTC). Every schedule ships stopped: a fresh clone (or the demo) must
not start refreshing at today's clock; turn them on in the Dagster UI (Automation) or with
`dagster schedule start NAME -m orchestration.definitions`."""

from dagster import DefaultScheduleStatus, RunRequest, ScheduleDefinition, ScheduleEvaluationContext, schedule

from orchestration.jobs import events_job, exports_job, lms_warehouse_job
from orchestration.partitions import FULL_XAPI_PULL, WHOLE_LANDING_DIR, current_partition_key


# Events hourly: the whole graph as a run of the current day's partition that lands every new file of
# LMS_LANDING_DIR (dated folders included; already landed files add nothing), then builds every model.
@schedule(
    name="hourly_refresh",
    job=lms_warehouse_job,
    cron_schedule="0 * * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.STOPPED,
)
def hourly_refresh(context: ScheduleEvaluationContext) -> RunRequest:
    return RunRequest(partition_key=current_partition_key(context.scheduled_execution_time), tags=WHOLE_LANDING_DIR)


# Exports nightly, after the 01:00 refresh has landed the previous day.
nightly_exports = ScheduleDefinition(
    name="nightly_exports",
    job=exports_job,
    cron_schedule="30 1 * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.STOPPED,
)


# The LRS weekly, in full: statements an LRS filtering `since` on `timestamp` (Ralph) shows only after the
# incremental pulls' overlap has passed them land here (only the missing ones: statement ids are idempotent).
@schedule(
    name="weekly_xapi_full",
    job=events_job,
    cron_schedule="0 3 * * 0",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.STOPPED,
)
def weekly_xapi_full(context: ScheduleEvaluationContext) -> RunRequest:
    return RunRequest(partition_key=current_partition_key(context.scheduled_execution_time),
                      tags={**WHOLE_LANDING_DIR, **FULL_XAPI_PULL})
