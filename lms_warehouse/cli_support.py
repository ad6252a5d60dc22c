"""What every `lms-warehouse` command shares: the error type the CLI prints as one line, and output."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass


class CommandError(Exception):
    """A failure the user can act on; its text is printed as one line."""


def say(line: str) -> None:
    print(line, flush=True)


def progress(line: str) -> None:
    print(f"  {line}", file=sys.stderr, flush=True)


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
