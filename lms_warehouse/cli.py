"""`lms-warehouse`: ingest, build, run and demo the learning-analytics warehouse."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import warnings
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from dbt_runner.console import set_verbose, stage, verbose
from dbt_runner.timeutil import AsOfError, parse_as_of
from ingestion.errors import IngestError
from ingestion.tenants import checked_organization
from lms_warehouse.cli_support import (
    CommandError,
    Parsers,
    add_organization_option,
    add_reject_share_option,
    check_rejects,
    counting_progress,
)
from lms_warehouse.cli_support import progress as _progress
from lms_warehouse.cli_support import say as _say

if TYPE_CHECKING:
    from dbt_runner.run import DbtOutcome

# Command modules of the other areas (MOOC/H5P, xAPI, reports, operations): each adds its own sub-commands.
COMMAND_MODULES: tuple[str, ...] = ("mooc", "xapi", "ml", "gamification", "report", "operations", "lake")


def cmd_ingest_events(args: argparse.Namespace) -> int:
    from ingestion.events import ingest_event_paths
    from ingestion.warehouse import write_session

    with write_session() as con, stage("ingesting event files") as advance:
        result = ingest_event_paths(
            con, args.paths, organization_id=args.organization, progress=counting_progress(advance)
        )
    _say(result.summary())
    check_rejects(result, args.max_reject_share)
    return 0


def cmd_ingest_catalog(args: argparse.Namespace) -> int:
    from ingestion.catalog import ingest_catalog_api, ingest_catalog_dir
    from ingestion.warehouse import write_session

    if args.base_url and args.directory:
        raise CommandError("give either DIR or --base-url/--connection-id, not both")
    if args.base_url and not args.connection_id:
        raise CommandError("--base-url needs --connection-id")
    if not args.base_url and not args.directory:
        raise CommandError("give the catalog folder DIR, or --base-url URL --connection-id ID")
    with write_session() as con:
        if args.base_url:
            result = ingest_catalog_api(
                con,
                args.base_url,
                args.connection_id,
                token=os.environ.get("LMS_UNIFIED_TOKEN"),
                organization_id=args.organization,
            )
        else:
            result = ingest_catalog_dir(con, args.directory, organization_id=args.organization)
    _say(result.summary())
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from dbt_runner.run import build_warehouse
    from ingestion import lake
    from ingestion.warehouse import warehouse_path, write_session

    as_of = parse_as_of(args.as_of)
    if args.target == "spark":
        from dbt_runner.spark_target import build_on_spark

        return _report_build(build_on_spark(as_of, full_refresh=args.full_refresh), as_of)
    if not warehouse_path().exists():
        raise CommandError(f"no warehouse at {warehouse_path()}: land data first (`lms-warehouse ingest ...`), or "
                           "set LMS_WAREHOUSE_PATH to the warehouse file (a build never starts an empty one)")
    # A warehouse from an older version gets the landing tables added since; the lake gets any batch it lacks.
    with write_session() as con:
        restored_as_of = lake.restored_as_of(con)
    if restored_as_of is not None and args.as_of is None:
        as_of = restored_as_of
        _say(f"first build after `restore`: as of {as_of:%Y-%m-%d %H:%M:%S} UTC, the lost warehouse's last build "
             "(give --as-of for another)")
    outcome = build_warehouse(as_of, full_refresh=args.full_refresh)
    if outcome.success:
        if restored_as_of is not None:
            with write_session() as con:
                lake.clear_restored(con)
        lake.record_build(lake.Lake(lake.lake_url(warehouse_path())), as_of)
    return _report_build(outcome, as_of)


def _report_build(outcome: DbtOutcome, as_of: datetime) -> int:
    from dbt_runner.run import dbt_log_file
    from ingestion.warehouse import warehouse_path

    unreadable = next((f for f in outcome.failures if "Could not read enough bytes" in f), None)
    if unreadable:  # a warehouse cut short opens, then fails at its first missing block: one line, not N failures
        raise CommandError(f"{warehouse_path()} is not a readable DuckDB warehouse (a model could not read it: "
                           f"{unreadable[:160]}): point LMS_WAREHOUSE_PATH at the warehouse file, or move this one "
                           "away and ingest the sources again")
    for failure in outcome.failures:
        _say(f"  failed: {failure}")
    _say(f"{outcome.summary()} (as of {as_of.isoformat(sep=' ')} UTC)")
    for line in outcome.warning_lines():
        _say(line)
    _say(f"dbt's full log: {dbt_log_file()}")
    if not outcome.success:
        raise CommandError(
            outcome.error or f"dbt build failed: {len(outcome.failures)} models or tests failed (see above)"
        )
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from lms_warehouse.pipeline import run_pipeline

    as_of = parse_as_of(args.as_of) if args.as_of else None
    outcome = run_pipeline(as_of=as_of, full_refresh=args.full_refresh)
    for line in outcome.lines:
        _say(line)
    if not outcome.success:
        raise CommandError(f"run {outcome.run_id[:8]} failed (see the failed steps above)")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    try:  # the demo is tooling (devtools/), not the product: loaded only here
        from devtools.demo.run import run_demo
    except ImportError as exc:
        raise CommandError(f"`demo` needs the devtools extra ({exc.name} is missing): run `make demo`, or "
                           "`pip install -e '.[devtools]'`") from None

    return run_demo(say=_say, progress=_progress)


def cmd_prepare(args: argparse.Namespace) -> int:
    from dbt_runner.run import prepare_manifest

    _say(f"dbt manifest written to {prepare_manifest()}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lms-warehouse",
        description="Learning-analytics warehouse. The DuckDB file is $LMS_WAREHOUSE_PATH "
        "(default warehouse/lms.duckdb).",
    )
    parser.add_argument("--verbose", action="store_true",
                        help="show every detail: each file, page and dbt node, dbt's and Dagster's own logs")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = commands.add_parser("ingest", help="land raw records in the warehouse")
    sources = ingest.add_subparsers(dest="source", required=True, metavar="SOURCE")
    events = sources.add_parser("events", help="event files or folders (ndjson, jsonl, json, gz, parquet)")
    events.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    add_reject_share_option(events)
    events.set_defaults(handler=cmd_ingest_events)
    catalog = sources.add_parser("catalog", help="Unified.to LMS catalog: a folder, or an API")
    catalog.add_argument("directory", nargs="?", type=Path, metavar="DIR")
    catalog.add_argument("--base-url", help="Unified.to-style API base URL (token: $LMS_UNIFIED_TOKEN)")
    catalog.add_argument("--connection-id", help="the API connection id")
    catalog.set_defaults(handler=cmd_ingest_catalog)
    for sub in (events, catalog):
        add_organization_option(sub)

    build = commands.add_parser("build", help="dbt build of every model and test")
    run = commands.add_parser("run", help="ingest everything configured, then build (the scheduled job)")
    for sub in (build, run):
        sub.add_argument("--as-of", help="ISO-8601 instant used as 'now' (default: the current time)")
        sub.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from scratch")
    build.add_argument("--target", choices=("duckdb", "spark"), default="duckdb",
                       help="the engine: the DuckDB warehouse file (default), or Spark reading the landing lake "
                       "(`make spark` installs it; $LMS_SPARK_MASTER, $LMS_SPARK_WAREHOUSE)")
    build.set_defaults(handler=cmd_build)
    run.set_defaults(handler=cmd_run)

    commands.add_parser("demo", help="generate demo data and run the whole pipeline").set_defaults(
        handler=cmd_demo
    )
    commands.add_parser("prepare", help="parse the dbt project into target/manifest.json").set_defaults(
        handler=cmd_prepare
    )
    parsers = Parsers(commands=commands, ingest_sources=sources)
    for module_name in COMMAND_MODULES:
        importlib.import_module(f"lms_warehouse.commands.{module_name}").register(parsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    # --verbose anywhere on the line (`lms-warehouse build --verbose` as well as `lms-warehouse --verbose build`)
    set_verbose("--verbose" in given)
    if not verbose():  # libraries' deprecation and experimental warnings are for developers
        warnings.simplefilter("ignore")
    args = build_parser().parse_args([a for a in given if a != "--verbose"])
    try:
        if getattr(args, "organization", None) is not None:  # None: all organizations (`report`)
            args.organization = checked_organization(args.organization)
        return int(args.handler(args) or 0)
    except (CommandError, IngestError, AsOfError) as exc:
        print(f"lms-warehouse: error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # the last line of defence: one readable line, the traceback on request
        if os.environ.get("LMS_DEBUG"):
            raise
        from ingestion.warehouse import warehouse_problem

        problem = warehouse_problem(exc)
        if problem:
            print(f"lms-warehouse: error: {problem}", file=sys.stderr)
            return 1
        print(
            f"lms-warehouse: error: {type(exc).__name__}: {exc} (set LMS_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
