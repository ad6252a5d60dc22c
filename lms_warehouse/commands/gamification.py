"""`lms-warehouse ingest awards PATH`: badge awards the LMS itself sent (gamification_award.json)."""

from __future__ import annotations

import argparse
from pathlib import Path

from lms_warehouse.cli_support import Parsers, add_organization_option, say


def cmd_ingest_awards(args: argparse.Namespace) -> int:
    from ingestion.awards import ingest_awards
    from ingestion.warehouse import write_session

    with write_session() as con:
        result = ingest_awards(con, args.path, organization_id=args.organization)
    say(result.summary())
    return 0


def register(parsers: Parsers) -> None:
    awards = parsers.ingest_sources.add_parser(
        "awards", help="badge awards sent by the LMS: a gamification_award.json file or the folder holding it"
    )
    awards.add_argument("path", type=Path, metavar="PATH")
    add_organization_option(awards)
    awards.set_defaults(handler=cmd_ingest_awards)
