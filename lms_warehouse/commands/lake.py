"""The landing lake (ingestion/lake.py): `lake sync`, `lake check`, and `restore`, the landing rebuilt from it."""

from __future__ import annotations

import argparse
import os

from lms_warehouse.cli_support import CommandError, Parsers, say


def register(parsers: Parsers) -> None:
    lake = parsers.commands.add_parser(
        "lake", help="the landing lake: the Parquet copy of every landed batch ($LMS_LAKE_PATH, default: the folder "
        "lake/ beside the warehouse file)")
    actions = lake.add_subparsers(dest="lake_action", required=True, metavar="ACTION")
    sync = actions.add_parser("sync", help="write to the lake the batches it lacks (every ingest does this itself)")
    sync.add_argument("--rewrite", action="store_true",
                      help="also write again, from the warehouse, every batch `lake check` finds different")
    sync.set_defaults(handler=cmd_lake_sync)
    check = actions.add_parser("check", help="reconcile every batch: warehouse rows against the lake's manifests, "
                               "files and checksums; exit 1 on any difference")
    check.set_defaults(handler=cmd_lake_check)

    restore = parsers.commands.add_parser(
        "restore", help="rebuild the warehouse's landing tables from the lake alone; then run `lms-warehouse build`")
    restore.add_argument("--force", action="store_true", help="replace the warehouse file if one exists")
    restore.set_defaults(handler=cmd_restore)


def cmd_lake_sync(args: argparse.Namespace) -> int:
    from ingestion import lake
    from ingestion.warehouse import warehouse_path, write_session

    _require_warehouse()
    target = lake.Lake(lake.lake_url(warehouse_path()))
    with write_session() as con:  # writes the missing batches as it closes
        rewritten = 0
        if args.rewrite:
            _, problems = lake.check(con, target)
            rewritten = lake.rewrite_batches(con, target, {p.batch_id for p in problems if p.rewritable})
    batches = len(target.manifests())
    say(f"lake {target.url}: {batches:,} batches" + (f", {rewritten} written again" if args.rewrite else ""))
    return 0


def cmd_lake_check(args: argparse.Namespace) -> int:
    from ingestion import lake
    from ingestion.warehouse import warehouse_path, write_session

    _require_warehouse()
    target = lake.Lake(lake.lake_url(warehouse_path()))
    with write_session() as con:
        checked, problems = lake.check(con, target)
    for problem in problems:
        say(f"  {problem.line}")
    if problems:
        raise CommandError(f"lake {target.url}: {len(problems)} problem(s) in {checked:,} batches (see above)")
    say(f"lake {target.url}: all {checked:,} batches reconcile with the warehouse (rows, files, checksums)")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Restore into a new file beside the warehouse, then move it into place: a failure leaves no half warehouse."""
    from ingestion import lake
    from ingestion.warehouse import close_connection, connect, lock_path_for, warehouse_path, writer_lock

    warehouse = warehouse_path()
    source = lake.Lake(lake.lake_url(warehouse))
    if warehouse.exists() and not args.force:
        raise CommandError(f"{warehouse} exists: restore builds a new warehouse from the lake; move that file away, "
                           "or pass --force to replace it")
    with writer_lock(warehouse):
        source.recover()
        if not source.manifests():
            raise CommandError(f"the lake {source.url} holds no batch: nothing to restore (set LMS_LAKE_PATH to the "
                               "lake's folder)")
        fresh = warehouse.with_name(warehouse.name + ".restoring")
        for leftover in (fresh, fresh.with_name(fresh.name + ".wal")):
            leftover.unlink(missing_ok=True)
        con = connect(fresh)
        try:
            restored = lake.restore_landing(con, source, progress=lambda line: say(f"  {line}"))
            as_of = lake.last_build_as_of(source)
            lake.mark_restored(con, as_of)
        finally:
            close_connection(con)
            lock_path_for(fresh).unlink(missing_ok=True)
        os.replace(fresh, warehouse)
        warehouse.with_name(warehouse.name + ".wal").unlink(missing_ok=True)
    rows = sum(restored.values())
    say(f"restored {warehouse} from the lake {source.url}: {rows:,} rows in {len(restored)} landing tables")
    when = f" as of {as_of:%Y-%m-%d %H:%M:%S} UTC, the lost warehouse's last build" if as_of else ""
    say(f"next: `lms-warehouse build` builds every model{when}")
    return 0


def _require_warehouse() -> None:
    from ingestion.warehouse import warehouse_path

    if not warehouse_path().exists():
        raise CommandError(f"no warehouse at {warehouse_path()}: `lms-warehouse restore` rebuilds it from the lake, or "
                           "set LMS_WAREHOUSE_PATH to the warehouse file")
