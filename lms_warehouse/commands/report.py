"""`lms-warehouse report PATH.html`: the self-contained HTML report of the warehouse's marts."""

from __future__ import annotations

import argparse
from pathlib import Path

from lms_warehouse.cli_support import CommandError, Parsers, say


def cmd_report(args: argparse.Namespace) -> int:
    from ingestion.warehouse import warehouse_path
    from lms_warehouse.report import CHARTS, write_report

    warehouse = warehouse_path()
    if not warehouse.is_file():
        raise CommandError(f"no warehouse at {warehouse}: run `lms-warehouse demo` or `lms-warehouse build` first")
    if args.path.suffix.lower() not in {".html", ".htm"}:
        raise CommandError(f"the report is an HTML file: give a path ending in .html, not {args.path.name}")
    drawn = write_report(warehouse, args.path, organization=args.organization)
    say(f"report written to {args.path.resolve()} ({len(drawn)} of {len(CHARTS)} charts with data)")
    return 0


def register(parsers: Parsers) -> None:
    report = parsers.commands.add_parser("report", help="write the HTML report (self-contained, inline SVG charts)")
    report.add_argument("path", type=Path, metavar="PATH.html")
    report.add_argument("--organization", default=None, help="only this organization (default: all of them)")
    report.set_defaults(handler=cmd_report)
