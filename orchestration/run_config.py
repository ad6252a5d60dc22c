"""The run config that fixes "now" and full refresh for every step of a job that reads them."""

import re
from typing import Any

from dagster import JobDefinition

from orchestration.assets.dbt import lms_dbt_assets
from orchestration.checks import event_lag_check


def build_run_config(
    job: JobDefinition,
    *,
    as_of: str | None = None,
    full_refresh: bool = False,
) -> dict[str, Any]:
    """`ops` config for the dbt assets and the event-lag check present in `job` (as_of: 'YYYY-MM-DD HH:MM:SS')."""
    nodes = set(job.graph.node_dict)
    dbt_config: dict[str, Any] = {"full_refresh": full_refresh}
    if as_of is not None:
        dbt_config["as_of"] = as_of
    # When a job's other assets sit between dbt assets, Dagster runs the set as several ops: `<name>`, `<name>_2`
    pieces = re.compile(re.escape(lms_dbt_assets.op.name) + r"(_\d+)?")
    ops: dict[str, Any] = {node: {"config": dbt_config} for node in sorted(nodes) if pieces.fullmatch(node)}
    if as_of is not None and event_lag_check.op.name in nodes:
        ops[event_lag_check.op.name] = {"config": {"as_of": as_of}}
    return {"ops": ops}
