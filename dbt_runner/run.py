"""The one way this project calls dbt: the CLI runs it in process, Dagster through dagster-dbt.

Both build their arguments with `dbt_build_args`, so a build means the same thing everywhere.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from dbt_runner.code_changes import SinceLastBuild, build_selection, models_to_rebuild, save_build_state
from dbt_runner.console import Advance, stage, verbose
from dbt_runner.timeutil import as_of_var
from ingestion.errors import IngestError
from ingestion.warehouse import (
    PROJECT_DIR,
    Progress,
    create_warehouse_file,
    ensure_warehouse_folder,
    open_warehouse,
    warehouse_path,
    writer_lock,
)

MANIFEST_PATH = PROJECT_DIR / "target" / "manifest.json"
LOG_DIR = PROJECT_DIR / "logs"  # dbt's full log: logs/dbt.log (debug level), whatever the console shows


# The per-run settings reach the project's macros as environment variables, read when a node runs
# (macros/run_settings.sql). As `--vars` they would change dbt's parse state on every run: dbt then
# re-parses the whole project instead of using its saved parse (several seconds of every build).
AS_OF_ENV = "LMS_AS_OF"
PARTITION_START_ENV = "LMS_PARTITION_START"
PARTITION_END_ENV = "LMS_PARTITION_END"


@dataclass(frozen=True)
class DbtCommand:
    """A dbt invocation: its arguments and the environment variables set for it."""

    args: list[str]
    env: dict[str, str] = field(default_factory=dict)

    def with_args(self, *extra: str) -> DbtCommand:
        return DbtCommand([*self.args, *extra], self.env)


def dbt_build_args(
    as_of: datetime,
    *,
    full_refresh: bool = False,
    select: str | None = None,
    partition_window: tuple[datetime, datetime] | None = None,
) -> DbtCommand:
    """`dbt build` for one consistent instant `as_of` (naive UTC).

    `partition_window` (naive UTC, end exclusive) restricts which landed events the incremental models
    process (LMS_PARTITION_START / LMS_PARTITION_END); without it there is no restriction.
    """
    env = {AS_OF_ENV: as_of_var(as_of), PARTITION_START_ENV: "", PARTITION_END_ENV: ""}
    if partition_window is not None:
        env[PARTITION_START_ENV], env[PARTITION_END_ENV] = (as_of_var(t) for t in partition_window)
    args = ["build"]
    if full_refresh:
        args.append("--full-refresh")
    if select:
        args += ["--select", select]
    return DbtCommand(args, env)


@contextmanager
def environment(env: dict[str, str]) -> Iterator[None]:
    """Set these environment variables for the `with` block (dbt in process, or a dbt subprocess started
    inside it), then restore what was there."""
    previous = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def dbt_base_flags() -> list[str]:
    """Flags that point dbt at this repository whatever the working directory is."""
    return ["--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]


def point_dbt_at_warehouse() -> Path:
    """dbt's profile reads LMS_WAREHOUSE_PATH: make it absolute so the working directory does not matter."""
    path = warehouse_path()
    os.environ["LMS_WAREHOUSE_PATH"] = str(path)
    return path


@dataclass
class DbtOutcome:
    """What a dbt invocation did, counted by resource type and status."""

    success: bool
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    warnings: list[tuple[str, int, str]] = field(default_factory=list)  # (test, failing rows, first message line)
    error: str | None = None
    unit_tests_skipped: bool = False
    up_to_date: bool = False  # nothing landed, nothing changed, same as-of: no dbt node ran

    def warning_lines(self, top: int = 3) -> list[str]:
        """How many tests warned, and the `top` of them by failing rows, with where to look."""
        if not self.warnings:
            return []
        ranked = sorted(self.warnings, key=lambda w: (-w[1], w[0]))
        lines = [f"{len(self.warnings)} test(s) warned (they do not fail the build); the largest:"]
        lines += [f"  {name}: {rows:,} row(s)" + (f" ({message})" if message else "") for name, rows, message
                  in ranked[:top]]
        lines.append(f"  every warning with its query: {dbt_log_file()} (search for WARN)")
        return lines

    def summary(self) -> str:
        if self.error:
            return f"dbt failed: {self.error}"
        if self.up_to_date:
            return ("build: up to date, nothing to build (no batch landed and no code, seed or var changed since "
                    "the last build at this as-of; --full-refresh rebuilds everything)")
        by_type: dict[str, Counter[str]] = {}
        for (resource_type, status), n in self.counts.items():
            by_type.setdefault(resource_type, Counter())[status] += n
        parts = []
        for resource_type in ("seed", "model", "unit_test", "test"):
            statuses = by_type.get(resource_type)
            if statuses:
                detail = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
                parts.append(f"{resource_type}s: {detail}")
            elif resource_type == "unit_test" and self.unit_tests_skipped:
                parts.append("unit_tests: skipped (they passed for this code; --full-refresh runs them)")
        return "build: " + ("; ".join(parts) if parts else "nothing to build")


def dbt_log_file() -> Path:
    """Where dbt writes its full log: $DBT_LOG_PATH, else the project's logs/ folder."""
    return Path(os.environ.get("DBT_LOG_PATH") or LOG_DIR) / "dbt.log"


def console_flags() -> list[str]:
    """dbt's full log in logs/dbt.log; on the console only errors unless verbose; colours only on a terminal."""
    flags = [] if os.environ.get("DBT_LOG_PATH") else ["--log-path", str(LOG_DIR)]
    if not verbose():
        flags.append("--quiet")
    if not sys.stdout.isatty():
        flags.append("--no-use-colors")
    return flags


def _progress_callback(advance: Advance) -> Callable[[Any], None]:
    def on_event(event: Any) -> None:
        name = event.info.name
        if name == "LogStartLine" and event.data.index == 1:
            advance(event.data.total)
        elif name == "NodeFinished":
            advance(None)

    return on_event


def run_dbt(
    command: DbtCommand | list[str], *, progress: Progress | None = None, on_duckdb: bool = True
) -> DbtOutcome:
    """Invoke dbt in this process, under the warehouse writer lock, and count what it built and tested.
    `on_duckdb=False`: a command for another target (dbt_runner/spark_target.py), which takes its own lock."""
    from dbt.cli.main import dbtRunner  # dbt is slow to import: only when a build is asked for

    if isinstance(command, list):
        command = DbtCommand(command)
    warehouse = point_dbt_at_warehouse()
    # `dbt parse` never opens the warehouse; every other command dbt-duckdb runs opens it read-write.
    opens_warehouse = on_duckdb and command.args[:1] != ["parse"]
    if opens_warehouse:
        ensure_warehouse_folder(warehouse)
    lock = writer_lock(warehouse, progress=progress) if opens_warehouse else nullcontext()
    with lock, environment(command.env):
        if opens_warehouse:
            create_warehouse_file(warehouse)
            open_warehouse(warehouse).close()  # a file dbt cannot open is said in one line, before dbt starts
        with stage(f"dbt {command.args[0]}") as advance:
            result = dbtRunner(callbacks=[_progress_callback(advance)]).invoke(
                [*command.args, *dbt_base_flags(), *console_flags()])
    outcome = DbtOutcome(success=bool(result.success))
    if result.exception is not None:
        outcome.error = str(result.exception).strip().splitlines()[0]
        return outcome
    for node_result in getattr(result.result, "results", None) or []:
        node = getattr(node_result, "node", None)
        if node is None:  # `run-operation` results name no node
            continue
        status = str(node_result.status)
        outcome.counts[(str(node.resource_type), status)] += 1
        if status == "warn":
            first = (node_result.message or "").strip().splitlines()[:1]
            outcome.warnings.append((node.name, int(node_result.failures or 0), first[0] if first else ""))
        if status in {"error", "fail"}:
            # a runtime error's first line only names the model; its second line says what went wrong
            message = [line.strip() for line in (node_result.message or "").strip().splitlines()[:2]]
            outcome.failures.append(f"{node.name}: {' '.join(message) if message else status}")
    return outcome


def target_dir() -> Path:
    """Where dbt writes its artifacts in this process's invocations: $DBT_TARGET_PATH when set (relative to the
    project, as dbt reads it), else target/."""
    target = os.environ.get("DBT_TARGET_PATH")
    return PROJECT_DIR / target if target else MANIFEST_PATH.parent


def built_manifest() -> Path:
    return target_dir() / "manifest.json"


def list_nodes(args: list[str]) -> list[str]:
    """`dbt ls` with these arguments: the names of the nodes it lists (also refreshes target/manifest.json)."""
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke(["ls", "--output", "name", *args, *dbt_base_flags(), "--log-level", "none"])
    if not result.success:
        raise RuntimeError(f"dbt ls failed: {result.exception or 'see ' + str(dbt_log_file())}")
    return list(result.result or [])


def list_models(args: list[str]) -> list[str]:
    """`dbt ls` of models with these arguments: their names."""
    return list_nodes(["--resource-type", "model", *args])


def _since_last_whole_build(warehouse: Path, as_of: datetime) -> SinceLastBuild | None:
    """What changed since the last whole build (`build_warehouse`); None when none is recorded (any other
    dbt run forgets it) or the warehouse cannot say."""
    try:
        # read-write like dbt-duckdb: DuckDB refuses a second configuration of a file open in this process
        con = open_warehouse(warehouse)
    except (IngestError, duckdb.Error):
        return None
    try:
        recorded = con.execute("select as_of_at, landing_table, row_count from build_state.whole_build").fetchall()
        if not recorded:
            return None
        counts = dict(_landing_row_counts(con))
        (pending,) = con.execute("""
            select count(*) from landing.ingest_batches
            where accepted > 0 and batch_id not in (select batch_id from build_state.built_batches)
        """).fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()
    before = {table: rows for _, table, rows in recorded}
    return SinceLastBuild(
        pending_batches=pending,
        same_as_of=as_of_var(recorded[0][0]) == as_of_var(as_of),
        grown_tables=frozenset(t for t in counts.keys() | before.keys() if counts.get(t) != before.get(t)),
    )


def _landing_row_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    tables = [name for (name,) in con.execute(
        "select table_name from information_schema.tables where table_schema = 'landing' order by 1").fetchall()]
    return [(table, con.execute(f'select count(*) from landing."{table}"').fetchone()[0]) for table in tables]


def _record_whole_build(warehouse: Path, as_of: datetime) -> None:
    """The rows are now those of a whole build at this as-of, from these landing row counts (the landing
    tables only grow); the next run's start forgets it."""
    with writer_lock(warehouse):
        con = open_warehouse(warehouse)
        try:
            con.executemany(
                "insert into build_state.whole_build (as_of_at, landing_table, row_count) "
                "values (cast(? as timestamp), ?, ?)",
                [(as_of_var(as_of), table, rows) for table, rows in _landing_row_counts(con)])
        finally:
            con.close()


def code_changes_first(as_of: datetime, run: Callable[[DbtCommand], bool]) -> bool:
    """Before a build that is not a full refresh: rebuild from scratch, with `run`, the incremental models
    whose code changed since the warehouse's last successful build (dbt_runner/code_changes.py).
    Returns whether the whole build must be a full refresh instead (no build of this warehouse recorded)."""
    warehouse = point_dbt_at_warehouse()
    changed = models_to_rebuild(warehouse, list_models, built_manifest())
    if changed is None:
        return True
    if changed:
        print(f"code changed since {warehouse.name} was last built: rebuilding from scratch {', '.join(changed)}")
        if not run(dbt_build_args(as_of, full_refresh=True, select=" ".join(changed)).with_args(
                "--exclude-resource-type", "unit_test")):
            raise RuntimeError(f"rebuilding {', '.join(changed)} from scratch failed: see {dbt_log_file()}")
    return False


def build_warehouse(as_of: datetime, *, full_refresh: bool = False) -> DbtOutcome:
    """`lms-warehouse build`: `dbt build`, first rebuilding from scratch the incremental models whose code
    changed (a warehouse with no build recorded is built from scratch), and without the unit tests when
    they already passed for this exact code (dbt_runner/unit_test_record.py); a full refresh always runs
    them. After a whole build it selects only what can differ (code_changes.build_selection), and nothing
    when nothing changed. A build that succeeds is recorded as the warehouse's code
    (code_changes.save_build_state), as-of and landing row counts (build_state.whole_build)."""
    from dbt_runner.unit_test_record import record_unit_tests_passed, unit_tests_passed_for_current_code

    warehouse = point_dbt_at_warehouse()
    selection = None
    if not full_refresh:
        selection = build_selection(warehouse, _since_last_whole_build(warehouse, as_of), list_nodes,
                                    built_manifest())
        if selection is not None and not selection.selectors:
            return DbtOutcome(success=True, up_to_date=True)
        if selection is None or selection.code_changed:
            full_refresh = code_changes_first(as_of, lambda command: run_dbt(command).success)
    skip_unit_tests = not full_refresh and unit_tests_passed_for_current_code()
    command = dbt_build_args(as_of, full_refresh=full_refresh)
    if selection is not None and not full_refresh:
        command = command.with_args("--select", *selection.selectors, "--state", str(selection.state))
    if skip_unit_tests:
        command = command.with_args("--exclude-resource-type", "unit_test")
    outcome = run_dbt(command)
    outcome.unit_tests_skipped = skip_unit_tests
    if outcome.success:
        save_build_state(warehouse, built_manifest())
        _record_whole_build(warehouse, as_of)
        if not skip_unit_tests and outcome.counts[("unit_test", "pass")] > 0:
            record_unit_tests_passed()
    return outcome


def prepare_manifest() -> Path:
    """Parse the project into target/manifest.json, which Dagster reads instead of parsing at import."""
    outcome = run_dbt(["parse"])
    if not outcome.success or not built_manifest().exists():
        raise RuntimeError(outcome.error or f"dbt parse did not write {built_manifest()}")
    return built_manifest()
