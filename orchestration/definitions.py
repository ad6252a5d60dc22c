"""The Dagster code location: `dagster dev -m orchestration.definitions`."""

from dagster import Definitions

from orchestration.assets.dbt import lms_dbt_assets
from orchestration.assets.exports import landed_mooc_and_h5p
from orchestration.assets.landing import landed_lms_catalog, landed_lms_events
from orchestration.jobs import lms_warehouse_job
from orchestration.resources import build_resources
from orchestration.schedules import hourly_refresh

defs = Definitions(
    assets=[landed_lms_events, landed_lms_catalog, landed_mooc_and_h5p, lms_dbt_assets],
    jobs=[lms_warehouse_job],
    schedules=[hourly_refresh],
    resources=build_resources(),
)
