"""The ingestion's SQL statements: one per file under ingestion/sql/, named after what it does, linted by
`make lint` like the models. Values reach them as DuckDB prepared parameters (`$organization`), or, in a view
(which cannot hold a parameter), as session variables (`getvariable('ingest_path')`); never spliced into the text.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def statement(name: str) -> str:
    """The text of `ingestion/sql/<name>.sql`, e.g. statement("events/classify_records")."""
    return (files("ingestion") / "sql" / f"{name}.sql").read_text(encoding="utf-8")
