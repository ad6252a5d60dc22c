"""The Dagster code location: `dagster dev -m orchestration.definitions`."""

from dagster import Definitions

from orchestration.assets.dbt import lms_dbt_assets
from orchestration.assets.exports import landed_mooc_and_h5p
from orchestration.assets.gamification import landed_gamification_awards
from orchestration.assets.landing import landed_lms_catalog, landed_lms_events
from orchestration.checks import event_lag_check
from orchestration.jobs import events_job, exports_job, lms_warehouse_job
from orchestration.resources import build_resources
from orchestration.schedules import hourly_refresh, nightly_exports, weekly_xapi_full
from orchestration.sensors import landing_files_sensor

defs = Definitions(
    assets=[
        landed_lms_events,
        landed_lms_catalog,
        landed_mooc_and_h5p,
        landed_gamification_awards,
        lms_dbt_assets,
    ],
    asset_checks=[event_lag_check],
    jobs=[lms_warehouse_job, events_job, exports_job],
    schedules=[hourly_refresh, nightly_exports, weekly_xapi_full],
    sensors=[landing_files_sensor],
    resources=build_resources(),
)
