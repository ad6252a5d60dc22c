"""Operations on a running warehouse: `replay` (full rebuild compared with the incremental state) and
`forget` (erase a learner's personal data everywhere, then rebuild and rewrite the file)."""

from __future__ import annotations

import argparse
import json
from datetime import datetime

from dbt_runner.timeutil import parse_as_of
from lms_warehouse.cli_support import CommandError, Parsers, add_organization_option, say


def register(parsers: Parsers) -> None:
    replay = parsers.commands.add_parser(
        "replay", help="rebuild every mart from the landed events (full refresh) and compare with the current state"
    )
    replay.add_argument("--as-of", help="'now' of the rebuild (default: the as-of of the last build)")
    replay.set_defaults(handler=cmd_replay)

    forget = parsers.commands.add_parser(
        "forget", help="erase a learner's personal data everywhere (their events stay under their opaque id)"
    )
    forget.add_argument("student_id", metavar="STUDENT_ID")
    forget.add_argument("--as-of", help="'now' of the rebuild that follows (default: the as-of of the last build)")
    add_organization_option(forget)
    forget.set_defaults(handler=cmd_forget)


def last_build_as_of() -> datetime | None:
    """The as-of of the last dbt build, read from target/run_results.json, so a rebuild sees the same 'now'."""
    from dbt_runner.run import target_dir

    try:
        results = json.loads((target_dir() / "run_results.json").read_text())
        args = results.get("args", {})
        if args.get("which") != "build":
            return None
        as_of = (args.get("vars") or {}).get("as_of")
        return parse_as_of(as_of) if as_of else None
    except (OSError, ValueError, AttributeError):
        return None


def _as_of(text: str | None) -> datetime:
    return parse_as_of(text) if text else (last_build_as_of() or parse_as_of(None))


def _fingerprints():  # -> dict[str, Fingerprint]
    from ingestion.warehouse import write_session
    from lms_warehouse.fingerprint import mart_fingerprints

    with write_session() as con:
        return mart_fingerprints(con)


def _build(as_of: datetime, *, full_refresh: bool = False) -> None:
    from dbt_runner.run import dbt_build_args, run_dbt

    outcome = run_dbt(dbt_build_args(as_of, full_refresh=full_refresh))
    for failure in outcome.failures:
        say(f"  failed: {failure}")
    say(f"{outcome.summary()} (as of {as_of.isoformat(sep=' ')} UTC)")
    if not outcome.success:
        raise CommandError(outcome.error or f"dbt build failed: {len(outcome.failures)} models or tests failed")


def cmd_replay(args: argparse.Namespace) -> int:
    """Fingerprint every mart, rebuild everything from the landed events, fingerprint again, compare."""
    as_of = _as_of(args.as_of)
    before = _fingerprints()
    _build(as_of, full_refresh=True)
    after = _fingerprints()
    differing = 0
    for mart in sorted(set(before) | set(after)):
        old, new = before.get(mart), after.get(mart)
        if new is None:
            verdict, shown = "MISSING after the rebuild", old
        elif old is None:
            verdict, shown = "new (not in the incremental state)", new
        elif old == new:
            verdict, shown = "matches", new
        else:
            verdict, shown = f"DIFFERS from the incremental state ({old.rows} rows, hash {old.content_hash})", new
        differing += verdict != "matches"
        say(f"  {mart}: {shown.rows} rows, hash {shown.content_hash}: {verdict}")  # type: ignore[union-attr]
    if differing:
        raise CommandError(f"replay: {differing} of {len(after)} marts differ from the incremental state")
    say(f"replay: all {len(after)} marts rebuilt from the landed events match the incremental state")
    return 0


def cmd_forget(args: argparse.Namespace) -> int:
    """Scrub the learner from every landing table, record the erasure, rebuild, rewrite the database file."""
    from ingestion import lake
    from ingestion.erasure import erase_student, learner_is_known, rewrite_database_file
    from ingestion.warehouse import warehouse_path, write_session

    student_id, organization = args.student_id.strip(), args.organization
    if not student_id:
        raise CommandError("give the learner's id: lms-warehouse forget STUDENT_ID [--organization ORG]")
    as_of = _as_of(args.as_of)
    with write_session() as con:
        if not learner_is_known(con, student_id, organization):
            raise CommandError(f"no learner {student_id!r} in organization {organization!r}: nothing to forget "
                               "(check the id and --organization)")
        result = erase_student(con, student_id, organization)
        # The lake's copies of the changed batches are written again and the old files deleted: no byte is left.
        copy = lake.Lake(lake.lake_url(warehouse_path()))
        rewritten = lake.rewrite_batches(con, copy, result.batches_changed)
        lake.record_erasure(con, copy, student_id, organization)
    say(result.summary())
    say(f"lake {copy.url}: {rewritten} batch(es) written again without the learner's personal data")
    try:
        # A full refresh: incremental marts only revisit new batches, and the scrubbed rows are old ones.
        _build(as_of, full_refresh=True)
    finally:
        # Even when the build fails, the scrubbed values must not survive in free pages of the file.
        rewrite_database_file(warehouse_path())
        say(f"rewrote {warehouse_path()}: no free page keeps the erased values")
    return 0
