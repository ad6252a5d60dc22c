"""The dbt models, seeds and tests as Dagster assets; `dbt build` so tests become asset checks.

The incremental event models (dbt tag `incremental_events`) are partitioned by UTC day: a run passes
its partition window as the dbt vars `partition_start` / `partition_end`. The rest is unpartitioned and
split in two around them (what they read, and everything else), so the three sets form a chain and
each runs as one `dbt build`. While no model carries the tag, one unpartitioned set holds the whole
project. An unpartitioned run (the hourly job, `lms-warehouse run`) builds the incremental models too,
with no window (the vars stay null: no restriction).
"""

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager

from dagster import AssetExecutionContext, AssetsDefinition, BackfillPolicy, Config
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets
from dagster_dbt.utils import select_unique_ids

from ingestion.warehouse import writer_lock
from lms_warehouse.dbt_runner import dbt_build_args, point_dbt_at_warehouse
from lms_warehouse.timeutil import parse_as_of
from orchestration.partitions import daily_event_partitions, partition_window
from orchestration.policies import WAREHOUSE_POOL
from orchestration.project import dbt_project

INCREMENTAL_TAG = "incremental_events"
INCREMENTAL_SELECT = f"tag:{INCREMENTAL_TAG}"


class DbtBuildConfig(Config):
    as_of: str | None = None  # ISO-8601; default: the time the run starts
    full_refresh: bool = False


# Several landing tables are written by one ingestion asset (events, their rejects and batch counts),
# so several dbt sources legitimately map to the same asset key.
translator = DagsterDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True))


@contextmanager
def _indirect_selection(mode: str) -> Iterator[None]:
    """dbt's DBT_INDIRECT_SELECTION for one invocation (dagster-dbt reads it and passes it to dbt)."""
    previous = os.environ.get("DBT_INDIRECT_SELECTION")
    os.environ["DBT_INDIRECT_SELECTION"] = mode
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("DBT_INDIRECT_SELECTION", None)
        else:
            os.environ["DBT_INDIRECT_SELECTION"] = previous


def _build(context: AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig, tests: str):
    point_dbt_at_warehouse()
    window = partition_window(context)
    args = dbt_build_args(parse_as_of(config.as_of), full_refresh=config.full_refresh, partition_window=window)
    if window is not None:
        context.log.info(f"partition window {window[0]} .. {window[1]} (end exclusive) passed as dbt vars")
    # dagster-dbt runs dbt in a subprocess: this process holds the writer lock for it.
    with writer_lock(progress=context.log.info), _indirect_selection(tests):
        yield from dbt.cli(args, context=context).stream()


def _dbt_set(name: str, *, select: str, tests: str, exclude: str = "", partitioned: bool = False) -> AssetsDefinition:
    @dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        dagster_dbt_translator=translator,
        select=select,
        exclude=exclude,
        name=name,
        partitions_def=daily_event_partitions if partitioned else None,
        backfill_policy=BackfillPolicy.single_run() if partitioned else None,
        pool=WAREHOUSE_POOL,
    )
    def dbt_set(context: AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig):
        yield from _build(context, dbt, config, tests)

    return dbt_set


def _chained(incremental_select: str, manifest: dict) -> set[str]:
    """The unique ids of the incremental models and everything they read (empty when none is tagged)."""
    if incremental_select.startswith("tag:"):  # asked first of the manifest: dbt warns when nothing matches
        tag = incremental_select.removeprefix("tag:")
        if not any(tag in node.get("tags", []) for node in manifest["nodes"].values()):
            return set()
    return set(select_unique_ids(f"+{incremental_select}", "", "", dbt_project, manifest))


def _rest_select(chained: set[str], manifest: dict) -> str:
    """Every node outside `chained` (the incremental models and what they read), listed by name.

    Listed rather than `--exclude`d: with an exclusion dbt would also drop every test touching an
    excluded model, so a test between a mart and a staging model would never run.
    """
    rest = [
        node for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in {"model", "seed", "snapshot"} and unique_id not in chained
    ]
    # Nothing left (every node feeds the incremental models): a selection that matches no node.
    return " ".join(sorted(".".join(node["fqn"]) for node in rest)) or "tag:__no_node_has_this_tag__"


def build_dbt_assets(incremental_select: str = INCREMENTAL_SELECT) -> list[AssetsDefinition]:
    """Three sets run in this order: what the incremental models read, the incremental models
    (partitioned), everything else. Sets that select nothing are left out (no tagged model yet: only
    the last set, i.e. the whole project, exactly as before).

    Each dbt test runs once, in the set that builds the last of its parents: the upstream set runs the
    tests whose parents are all in it ("cautious"), the incremental set the tests whose parents it
    built or already had built ("buildable"), the last set every test touching one of its models ("eager").
    """
    manifest = json.loads(dbt_project.manifest_path.read_text())
    upstream_select = f"+{incremental_select}"
    chained = _chained(incremental_select, manifest)
    if not chained:  # no incremental model (yet): the whole project in one set
        return [_dbt_set("lms_dbt_assets", select="fqn:*", tests="eager")]
    sets = (
        _dbt_set("lms_dbt_upstream_assets", select=upstream_select, exclude=incremental_select, tests="cautious"),
        _dbt_set("lms_dbt_incremental_assets", select=incremental_select, tests="buildable", partitioned=True),
        _dbt_set("lms_dbt_assets", select=_rest_select(chained, manifest), tests="eager"),
    )
    # An empty selection must not become an op: dagster-dbt would run it with no --select at all.
    return [s for s in sets if s.keys]


lms_dbt_asset_sets = build_dbt_assets()
