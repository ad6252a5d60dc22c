"""`lms-warehouse evaluate-risk` and `lms-warehouse export raw-data PATH`: raw_data for data scientists."""

from __future__ import annotations

import argparse
from pathlib import Path

from lms_warehouse.cli_support import CommandError, Parsers, say

EXPORTS = {"raw-data": "raw_data", "raw-data-daily": "raw_data_daily"}
FORMATS = {".parquet": "parquet", ".csv": "csv"}


def _connect_read_only():
    import duckdb

    from ingestion.warehouse import warehouse_path

    path = warehouse_path()
    if not path.exists():
        raise CommandError(f"no warehouse at {path}: run `lms-warehouse build` (or `make demo`) first")
    return duckdb.connect(str(path), read_only=True)


def _require_relation(con, name: str) -> None:
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'main' and table_name = ?", [name]
    ).fetchone()[0]
    if not found:
        raise CommandError(f"main.{name} does not exist yet: run `lms-warehouse build` first")


def cmd_evaluate_risk(args: argparse.Namespace) -> int:
    from lms_warehouse.risk_eval import evaluate_risk

    con = _connect_read_only()
    try:
        _require_relation(con, "raw_data_daily")
        evaluation = evaluate_risk(con)
    finally:
        con.close()
    for line in evaluation.lines():
        say(line)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    relation = EXPORTS[args.what]
    target: Path = args.path
    file_format = FORMATS.get(target.suffix.lower())
    if file_format is None:
        raise CommandError(f"{target}: give a path ending in .parquet or .csv")
    con = _connect_read_only()
    try:
        _require_relation(con, relation)
        target.parent.mkdir(parents=True, exist_ok=True)
        header = ", header true" if file_format == "csv" else ""
        quoted = str(target.resolve()).replace("'", "''")
        con.execute(
            f"copy (select * from main.{relation} order by organization_id, user_id, course_id, as_of_date) "
            f"to '{quoted}' (format {file_format}{header})"
        )
        rows = con.execute(f"select count(*) from main.{relation}").fetchone()[0]
    finally:
        con.close()
    say(f"exported {rows:,} rows of {relation} to {target} ({file_format})")
    return 0


def register(parsers: Parsers) -> None:
    evaluate = parsers.commands.add_parser(
        "evaluate-risk", help="AUC, Brier score and top-decile lift of dropout_risk_score on observed labels"
    )
    evaluate.set_defaults(handler=cmd_evaluate_risk)
    export = parsers.commands.add_parser("export", help="write raw_data (or raw_data_daily) as Parquet or CSV")
    export.add_argument("what", choices=sorted(EXPORTS), help="raw-data: one row per enrollment; "
                        "raw-data-daily: one row per enrollment and as-of date")
    export.add_argument("path", type=Path, metavar="PATH", help="output file; .parquet or .csv")
    export.set_defaults(handler=cmd_export)
