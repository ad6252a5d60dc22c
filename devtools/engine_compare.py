"""Every published relation of a DuckDB warehouse against the same relation built on Spark (a Parquet folder
named after it): the same columns, the same rows, numbers equal to 9 significant digits, instants equal in UTC.

Used by tests/test_spark.py and `make bench-spark`. Rows are compared in DuckDB (`except all` both ways, on
values normalised to text), so a relation of millions of rows needs no Python memory; rows left on either side
are then matched with a relative tolerance of 1e-9, which a number rounded to 9 digits near a rounding boundary
needs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

_EXAMPLES = 1000  # rows fetched per side when the exact comparison leaves some


@dataclass
class Comparison:
    relations: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # no Parquet file on the Spark side
    differing: list[str] = field(default_factory=list)  # how each differs
    nonempty: int = 0  # relations compared that hold rows


def published(warehouse: Path) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [name for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main' order by 1").fetchall()]


def _normalised(con: duckdb.DuckDBPyConnection, relation: str, *, exact: bool) -> str:
    """A select of the relation's values as comparable ones: instants as UTC text, integers as bigint, numbers as
    doubles (rounded to 9 significant digits when `exact`), everything else as text."""
    parts = []
    for name, data_type, *_ in con.execute(f"describe {relation}").fetchall():
        quoted = f'"{name}"'
        if data_type.startswith("TIMESTAMP"):
            parts.append(f"strftime(cast({quoted} as timestamp), '%Y-%m-%d %H:%M:%S.%f')")
        elif data_type in ("DOUBLE", "FLOAT") or data_type.startswith("DECIMAL"):
            value = f"cast({quoted} as double)"
            parts.append(f"case when {value} = 0 or not isfinite({value}) then {value} else "
                         f"round({value}, cast(8 - floor(log10(abs({value}))) as integer)) end" if exact else value)
        elif data_type in ("BIGINT", "INTEGER", "HUGEINT", "SMALLINT", "TINYINT"):
            parts.append(f"cast({quoted} as bigint)")
        else:
            parts.append(f"cast({quoted} as varchar)")
    return f"select {', '.join(parts)} from {relation}"


def _close(left: tuple, right: tuple) -> bool:
    return all(
        math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) if isinstance(a, float) and isinstance(b, float) else a == b
        for a, b in zip(left, right, strict=True))


def _sort_key(row: tuple) -> tuple:
    return tuple((v is None, f"{v:.6g}" if isinstance(v, float) else str(v)) for v in row)


def compare(warehouse: Path, spark_dir: Path, relations: list[str] | None = None) -> Comparison:
    """Every published relation of `warehouse` (or these `relations`) against its folder under `spark_dir`."""
    result = Comparison(relations=relations if relations is not None else published(warehouse))
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.execute(f"attach '{warehouse}' as duck (read_only)")
    for relation in result.relations:
        folder = spark_dir / relation
        if not any(folder.glob("*.parquet")):
            result.missing.append(relation)
            continue
        con.execute(f"create or replace view spark_{relation} as select * from read_parquet('{folder}/*.parquet')")
        duck, spark = f"duck.main.{relation}", f"spark_{relation}"
        duck_columns = [c[0] for c in con.execute(f"describe {duck}").fetchall()]
        spark_columns = [c[0] for c in con.execute(f"describe {spark}").fetchall()]
        if duck_columns != spark_columns:
            result.differing.append(f"{relation}: columns {duck_columns} on DuckDB, {spark_columns} on Spark")
            continue
        (duck_rows,) = con.execute(f"select count(*) from {duck}").fetchone()
        (spark_rows,) = con.execute(f"select count(*) from {spark}").fetchone()
        result.nonempty += duck_rows > 0
        if duck_rows != spark_rows:
            result.differing.append(f"{relation}: {duck_rows} rows on DuckDB, {spark_rows} on Spark")
            continue
        left_sql = _normalised(con, duck, exact=True)
        right_sql = _normalised(con, spark, exact=True)
        only_left = con.execute(f"select count(*) from ({left_sql} except all {right_sql})").fetchone()[0]
        if only_left == 0:
            continue
        # the exact pass left rows: match them with the tolerance, on the unrounded values
        left = sorted(con.execute(f"({_normalised(con, duck, exact=False)}) except all "
                                  f"({_normalised(con, spark, exact=False)}) limit {_EXAMPLES}").fetchall(),
                      key=_sort_key)
        right = sorted(con.execute(f"({_normalised(con, spark, exact=False)}) except all "
                                   f"({_normalised(con, duck, exact=False)}) limit {_EXAMPLES}").fetchall(),
                       key=_sort_key)
        unequal = [(a, b) for a, b in zip(left, right, strict=False) if not _close(a, b)]
        if len(left) != len(right) or unequal or only_left > _EXAMPLES:
            result.differing.append(f"{relation}: {only_left} of {duck_rows} rows differ; e.g. "
                                    f"{(unequal or list(zip(left, right, strict=False)))[:1]}")
    return result
