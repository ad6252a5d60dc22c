"""The dbt models, seeds and tests as one Dagster asset set; `dbt build` so tests become asset checks.

The set is the dbt selector `lms_warehouse` (selectors.yml); a job or a UI selection that picks some of
its assets runs a `dbt build` of just those (dagster-dbt lists them). It is not partitioned: the
incremental models take in every landed batch they have not processed, so a day's window would limit
nothing. A run may ask them to recompute the learners with events occurring in a window on top (run
config `recompute_from` / `recompute_to`, passed to dbt as LMS_PARTITION_START / LMS_PARTITION_END).
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from datetime import datetime

from dagster import AssetExecutionContext, Config
from dagster_dbt import DbtCliResource, dbt_assets

from dbt_runner.code_changes import save_build_state
from dbt_runner.console import QUIET_CONSOLE_ENV
from dbt_runner.run import code_changes_first, dbt_build_args, environment, point_dbt_at_warehouse
from dbt_runner.spark_target import landing_views_command, spark_build_command, spark_build_session
from dbt_runner.timeutil import parse_as_of
from ingestion.warehouse import create_warehouse_file, writer_lock
from orchestration.policies import WAREHOUSE_POOL
from orchestration.project import dbt_project
from orchestration.resources import LmsEngine
from orchestration.translator import LmsDbtTranslator

DBT_SELECTOR = "lms_warehouse"


class DbtBuildConfig(Config):
    as_of: str | None = None  # ISO-8601; default: the time the run starts
    full_refresh: bool = False
    # ISO-8601, end exclusive, both or neither: the incremental models also recompute every learner (class,
    # day) with events occurring in [recompute_from, recompute_to), as when those days are backfilled
    recompute_from: str | None = None
    recompute_to: str | None = None

    def recompute_window(self) -> tuple[datetime, datetime] | None:
        if self.recompute_from is None and self.recompute_to is None:
            return None
        if self.recompute_from is None or self.recompute_to is None:
            raise ValueError("recompute_from and recompute_to go together: give both (ISO-8601, end exclusive)")
        return parse_as_of(self.recompute_from), parse_as_of(self.recompute_to)


translator = LmsDbtTranslator()

# A run of some of the assets (a job's subset, a UI selection) is `dbt build --select <those>`: its tests are
# those whose every parent is selected, so none reads a model this run neither built nor selected. The whole
# set runs `--selector lms_warehouse`, whose YAML definition keeps dbt's default (eager: every test).
_TESTS_OF_A_SUBSET = {"DBT_INDIRECT_SELECTION": "cautious"}


def _build(context: AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig, target: str):
    point_dbt_at_warehouse()
    window = config.recompute_window()
    as_of = parse_as_of(config.as_of)
    full_refresh = config.full_refresh
    if window is not None:
        context.log.info(f"recompute window {window[0]} .. {window[1]} (end exclusive) passed to dbt")
    if target == "spark":
        yield from _build_on_spark(context, dbt, as_of, full_refresh, window)
        return
    # --no-use-colors: dbt's messages reach logs and files, no ANSI codes in them
    with writer_lock(progress=context.log.info) as warehouse, _console_quiet():
        create_warehouse_file(warehouse)
        if not full_refresh:
            # the incremental models whose code changed since the last build are rebuilt from scratch first
            with environment(dbt_build_args(as_of).env):
                full_refresh = code_changes_first(
                    as_of, lambda c: dbt.cli([*c.args, "--no-use-colors"]).wait().is_successful())
        command = dbt_build_args(as_of, full_refresh=full_refresh, partition_window=window)
        # dagster-dbt runs dbt in a subprocess that inherits the environment (the run settings); this process
        # holds the writer lock for it.
        with environment({**command.env, **_TESTS_OF_A_SUBSET}):
            invocation = dbt.cli([*command.args, "--no-use-colors"], context=context)
            yield from invocation.stream()  # raises when dbt failed: the build state is kept only on success
        save_build_state(warehouse, invocation.target_path / "manifest.json")


def _build_on_spark(context: AssetExecutionContext, dbt: DbtCliResource, as_of: datetime, full_refresh: bool,
                    window: tuple[datetime, datetime] | None):
    """The same set on Spark (the engine resource's target): its sources are views over the landing lake, made
    again by each run so a table's first lake file is seen; Spark's incremental models are tables, rebuilt
    whole, so the window changes nothing there (dbt_runner/spark_target.py)."""
    context.log.info("target spark: the landing lake built on Spark")
    with spark_build_session(), _console_quiet():
        dbt.cli([*landing_views_command().args, "--no-use-colors"]).wait()  # raises when it failed
        command = spark_build_command(as_of, full_refresh=full_refresh, partition_window=window)
        with environment({**command.env, **_TESTS_OF_A_SUBSET}):
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


# The whole project is one asset set. The incremental models take in every landed batch they have not
# processed whatever a run's partition, so daily dbt partitions would limit nothing: the partitions are on
# the landing asset, where a day's run reads only that day's folder (docs/dagster.md).
@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    selector=DBT_SELECTOR,
    name="lms_dbt_assets",
    pool=WAREHOUSE_POOL,
)
def lms_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig, engine: LmsEngine):
    yield from _build(context, dbt, config, engine.target_name())
