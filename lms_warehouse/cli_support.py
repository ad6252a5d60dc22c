"""What every `lms-warehouse` command shares: the error type the CLI prints as one line, and output."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dbt_runner.console import Advance, verbose
from ingestion.batches import BatchResult


class CommandError(Exception):
    """A failure the user can act on; its text is printed as one line."""


def add_reject_share_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-reject-share", type=float, default=None, metavar="SHARE",
        help="exit 1 when more than this share (0..1) of the records read was rejected (the batch still lands); "
        "a run whose every record was rejected always exits 1",
    )


def check_rejects(
    result: BatchResult, max_share: float | None, rejects_table: str = "landing.lms_event_rejects"
) -> None:
    """After the summary: fail the command when every record (or more than `max_share`) was rejected. The
    batch has landed either way: the rejects and their reasons are kept, nothing is lost."""
    failed = result.failed_files
    if failed:
        names = ", ".join(Path(f).name for f in failed[:3])
        names += f" and {len(failed) - 3} more" if len(failed) > 3 else ""
        raise CommandError(f"{len(failed)} file(s) could not be read at all ({names}); every other record was "
                           f"handled; the reasons are in {rejects_table} (record_number 0)")
    if not result.records_read or not result.rejected:
        return
    where = f"the reasons are in {rejects_table} (batch_id = '{result.batch_id}')"
    if result.accepted + result.duplicates == 0:
        raise CommandError(f"every record read ({result.rejected:,}) was rejected: {where}; fix the input and "
                           "ingest it again")
    share = result.rejected / result.records_read
    if max_share is not None and share > max_share:
        raise CommandError(f"{share:.1%} of the records read were rejected, more than --max-reject-share "
                           f"{max_share:g}: {where}")


def say(line: str) -> None:
    print(line, flush=True)


# Detail lines (each file read, each page fetched) show with --verbose; these always do.
_ALWAYS_SHOWN = ("note:", "could not read", "waiting for", "warning:")


def progress(line: str) -> None:
    if verbose() or line.startswith(_ALWAYS_SHOWN):
        print(f"  {line}", file=sys.stderr, flush=True)


def counting_progress(advance: Advance) -> Callable[[str], None]:
    """`progress` that also moves a stage's bar one step per file read."""

    def report(line: str) -> None:
        if line.startswith("read "):
            advance(None)
        progress(line)

    return report


def add_organization_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--organization",
        default=os.environ.get("LMS_ORGANIZATION", "default"),
        help="tenant of records that carry no organization_id (default: $LMS_ORGANIZATION or 'default')",
    )


@dataclass(frozen=True)
class Parsers:
    """Where a command module hangs its sub-commands: top-level commands, and sources under `ingest`."""

    commands: argparse._SubParsersAction
    ingest_sources: argparse._SubParsersAction
