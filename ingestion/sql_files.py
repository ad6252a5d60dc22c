"""The ingestion's SQL statements: one per file under ingestion/sql/, named after what it does, linted by
`make lint` like the models. Values reach them as DuckDB prepared parameters (`$organization`), or, in a view
(which cannot hold a parameter), as session variables (`getvariable('ingest_path')`); never spliced into the text.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib.resources import files

import duckdb


@cache
def statement(name: str) -> str:
    """The text of `ingestion/sql/<name>.sql`, e.g. statement("events/classify_records")."""
    return (files("ingestion") / "sql" / f"{name}.sql").read_text(encoding="utf-8")


def set_variables(con: duckdb.DuckDBPyConnection, **values: object) -> None:
    """Session variables for the statements that cannot take a parameter (views); the names are the caller's."""
    for name, value in values.items():
        con.execute(f"set variable {name} = $value", {"value": value})


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, rows: object) -> Iterator[None]:
    """Rows held in Python (an Arrow table) readable as `name` by the statements run inside the block."""
    con.register(name, rows)
    try:
        yield
    finally:
        con.unregister(name)
