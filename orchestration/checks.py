"""Asset checks written in Python (dbt's tests become asset checks on their own, per dbt asset)."""

import os
from datetime import datetime, timedelta

from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, AssetKey, Config, asset_check

from dbt_runner.timeutil import as_of_var, parse_as_of
from ingestion.errors import IngestError
from ingestion.warehouse import write_session
from orchestration.policies import WAREHOUSE_POOL

EVENT_LAG_WARN_ENV = "LMS_EVENT_LAG_WARN_HOURS"
DEFAULT_EVENT_LAG_WARN_HOURS = 6.0


def event_lag_warn_hours() -> float:
    """`LMS_EVENT_LAG_WARN_HOURS` (default 6): a newest event older than this warns."""
    value = os.environ.get(EVENT_LAG_WARN_ENV)
    if not value:
        return DEFAULT_EVENT_LAG_WARN_HOURS
    try:
        return float(value)
    except ValueError:
        raise IngestError(f"{EVENT_LAG_WARN_ENV}={value!r} is not a number of hours") from None


def event_lag_result(latest: datetime | None, now: datetime, warn_hours: float) -> AssetCheckResult:
    """Passes while `now - latest` is at most `warn_hours`; above it (or with no event at all) a WARN."""
    metadata: dict[str, object] = {"as_of": as_of_var(now), "threshold_hours": warn_hours}
    if latest is None:
        return AssetCheckResult(
            passed=False,
            severity=AssetCheckSeverity.WARN,
            description="no event has landed yet",
            metadata=metadata,
        )
    lag = now - latest
    lag_hours = lag / timedelta(hours=1)
    metadata |= {"latest_occurred_at": as_of_var(latest), "lag_hours": round(lag_hours, 3)}
    passed = lag <= timedelta(hours=warn_hours)
    return AssetCheckResult(
        passed=passed,
        severity=AssetCheckSeverity.WARN,
        description=None if passed else f"the newest event is {lag_hours:.1f} h old (threshold {warn_hours:g} h)",
        metadata=metadata,
    )


class EventLagConfig(Config):
    as_of: str | None = None  # ISO-8601 "now"; default: the time the check runs


@asset_check(
    asset=AssetKey(["landing", "lms_events"]),
    name="event_lag",
    pool=WAREHOUSE_POOL,
    description="Warns when as_of (default now) minus the newest landed occurred_at exceeds "
    "LMS_EVENT_LAG_WARN_HOURS (default 6); the lag is in the metadata.",
)
def event_lag_check(context: AssetCheckExecutionContext, config: EventLagConfig) -> AssetCheckResult:
    now = parse_as_of(config.as_of)
    with write_session(progress=context.log.info) as con:
        latest = con.execute("select max(occurred_at) from landing.lms_events").fetchone()[0]
    return event_lag_result(latest, now, event_lag_warn_hours())
