"""The dbt models, seeds and tests as Dagster assets; `dbt build` so tests become asset checks.

The incremental event models (dbt tag `incremental_events`) are partitioned by UTC day: a run passes
its partition window to dbt in LMS_PARTITION_START / LMS_PARTITION_END (macros/run_settings.sql).
The rest is unpartitioned and split in two around them (what they read, and everything else), so the
three sets form a chain and each runs as one `dbt build`. While no model carries the tag, one
unpartitioned set holds the whole project. An unpartitioned run (the hourly job, `lms-warehouse run`)
builds the incremental models too, with no window (both variables empty: no restriction).
"""

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from datetime import datetime

from dagster import AssetExecutionContext, AssetsDefinition, BackfillPolicy, Config
from dagster_dbt import DbtCliResource, dbt_assets
from dagster_dbt.utils import select_unique_ids

from dbt_runner.code_changes import save_build_state
from dbt_runner.console import QUIET_CONSOLE_ENV
from dbt_runner.run import code_changes_first, dbt_build_args, environment, point_dbt_at_warehouse
from dbt_runner.spark_target import landing_views_command, spark_build_command, spark_build_session
from dbt_runner.timeutil import parse_as_of
from ingestion.warehouse import create_warehouse_file, writer_lock
from orchestration.partitions import daily_event_partitions, partition_window
from orchestration.policies import WAREHOUSE_POOL
from orchestration.project import dbt_project
from orchestration.resources import LmsEngine
from orchestration.translator import LmsDbtTranslator

INCREMENTAL_TAG = "incremental_events"
INCREMENTAL_SELECT = f"tag:{INCREMENTAL_TAG}"


class DbtBuildConfig(Config):
    as_of: str | None = None  # ISO-8601; default: the time the run starts
    full_refresh: bool = False


translator = LmsDbtTranslator()


def _build(context: AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig, tests: str,
           holds_incremental: bool, target: str):
    point_dbt_at_warehouse()
    window = partition_window(context)
    as_of = parse_as_of(config.as_of)
    full_refresh = config.full_refresh
    if window is not None:
        context.log.info(f"partition window {window[0]} .. {window[1]} (end exclusive) passed to dbt")
    if target == "spark":
        yield from _build_on_spark(context, dbt, tests, as_of, full_refresh, window)
        return
    # --no-use-colors: dbt's messages reach logs and files, no ANSI codes in them
    with writer_lock(progress=context.log.info) as warehouse, _console_quiet():
        create_warehouse_file(warehouse)
        if holds_incremental and not full_refresh:
            # the incremental models whose code changed since the last build are rebuilt from scratch first
            with environment(dbt_build_args(as_of).env):
                full_refresh = code_changes_first(
                    as_of, lambda c: dbt.cli([*c.args, "--no-use-colors"]).wait().is_successful())
        command = dbt_build_args(as_of, full_refresh=full_refresh, partition_window=window)
        # dagster-dbt runs dbt in a subprocess that inherits the environment (the run settings, and
        # DBT_INDIRECT_SELECTION: which tests run with this set); this process holds the writer lock for it.
        with environment({**command.env, "DBT_INDIRECT_SELECTION": tests}):
            invocation = dbt.cli([*command.args, "--no-use-colors"], context=context)
            yield from invocation.stream()  # raises when dbt failed: the build state is kept only on success
        if holds_incremental:
            save_build_state(warehouse, invocation.target_path / "manifest.json")


def _build_on_spark(context: AssetExecutionContext, dbt: DbtCliResource, tests: str, as_of: datetime,
                    full_refresh: bool, window: tuple[datetime, datetime] | None):
    """The same set on Spark (the engine resource's target): its sources are views over the landing lake, made
    again by each set so a table's first lake file is seen; Spark's incremental models are tables, rebuilt whole,
    so the window limits nothing there (dbt_runner/spark_target.py)."""
    context.log.info("target spark: the landing lake built on Spark")
    with spark_build_session(), _console_quiet():
        dbt.cli([*landing_views_command().args, "--no-use-colors"]).wait()  # raises when it failed
        command = spark_build_command(as_of, full_refresh=full_refresh, partition_window=window)
        with environment({**command.env, "DBT_INDIRECT_SELECTION": tests}):
            yield from dbt.cli([*command.args, "--no-use-colors"], context=context).stream()


@contextmanager
def _console_quiet() -> Iterator[None]:
    """dagster-dbt writes every dbt event to stdout. Under `dagster dev` that is the step's compute log (kept);
    a quiet `lms-warehouse run`/`demo` (QUIET_CONSOLE_ENV set) sends it to dbt's own log instead."""
    if os.environ.get(QUIET_CONSOLE_ENV) != "1":
        yield
        return
    with open(os.devnull, "w") as sink, redirect_stdout(sink):
        yield


def _dbt_set(name: str, *, select: str, tests: str, partitioned: bool = False,
             holds_incremental: bool = False) -> AssetsDefinition:
    @dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        dagster_dbt_translator=translator,
        select=select,
        name=name,
        partitions_def=daily_event_partitions if partitioned else None,
        backfill_policy=BackfillPolicy.single_run() if partitioned else None,
        pool=WAREHOUSE_POOL,
    )
    def dbt_set(context: AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig, engine: LmsEngine):
        yield from _build(context, dbt, config, tests, holds_incremental, engine.target_name())

    return dbt_set


_BUILT = {"model", "seed", "snapshot"}


def _built_ids(select: str, manifest: dict) -> set[str]:
    """The models, seeds and snapshots `select` picks (empty, and no dbt warning, for an unused tag)."""
    if select.startswith("tag:"):
        tag = select.removeprefix("tag:").rstrip("+")
        if not any(tag in node.get("tags", []) for node in manifest["nodes"].values()):
            return set()
    ids = select_unique_ids(select, "", "", dbt_project, manifest)
    return {i for i in ids if manifest["nodes"].get(i, {}).get("resource_type") in _BUILT}


def _listed(ids: set[str], manifest: dict) -> str:
    """A dbt selection naming exactly these nodes (one that matches nothing when there are none).

    Listed rather than `--exclude`d: dbt's exclusions also drop or keep tests by their own rules, so a
    test between two sets would run too early or never.
    """
    names = sorted(".".join(manifest["nodes"][i]["fqn"]) for i in ids)
    return " ".join(names) or "tag:__no_node_has_this_tag__"


def build_dbt_assets(incremental_select: str = INCREMENTAL_SELECT) -> list[AssetsDefinition]:
    """Three sets run in this order: what the incremental models read, the incremental models
    (partitioned), everything else. With no incremental model, one set: the whole project.

    Each dbt test runs once, with the set that builds the last of its parents: the upstream set runs
    the tests whose parents are all in it ("cautious"), the incremental set those whose parents it
    built or were built before ("buildable"), the last set every test touching one of its models ("eager").
    """
    manifest = json.loads(dbt_project.manifest_path.read_text())
    tagged = _built_ids(incremental_select, manifest)
    if not tagged:
        return [_dbt_set("lms_dbt_assets", select="fqn:*", tests="eager", holds_incremental=True)]
    ancestors = _built_ids(f"+{incremental_select}", manifest)
    # A model between two incremental ones (fed by one, feeding another) joins the partitioned set, so
    # the three sets form a chain: nothing upstream depends on the partitioned set.
    incremental = tagged | (ancestors & _built_ids(f"{incremental_select}+", manifest))
    upstream = ancestors - incremental
    rest = {i for i, node in manifest["nodes"].items() if node["resource_type"] in _BUILT} - upstream - incremental
    sets = (
        _dbt_set("lms_dbt_upstream_assets", select=_listed(upstream, manifest), tests="cautious"),
        _dbt_set("lms_dbt_incremental_assets", select=_listed(incremental, manifest), tests="buildable",
                 partitioned=True, holds_incremental=True),
        _dbt_set("lms_dbt_assets", select=_listed(rest, manifest), tests="eager"),
    )
    # An empty selection must not become an op: dagster-dbt would run it with no --select at all.
    return [s for s in sets if s.keys]


lms_dbt_asset_sets = build_dbt_assets()
