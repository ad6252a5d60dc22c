"""Row count and an order-independent content hash per mart: how two builds are compared row by row."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

MART_SCHEMA = "main"


@dataclass(frozen=True)
class Fingerprint:
    rows: int
    content_hash: str


def mart_relations(con: duckdb.DuckDBPyConnection, schema: str = MART_SCHEMA) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ? order by table_name", [schema]
    ).fetchall()
    return [name for (name,) in rows]


def fingerprint(con: duckdb.DuckDBPyConnection, relation: str, schema: str = MART_SCHEMA) -> Fingerprint:
    """Sum of per-row hashes: equal multisets of rows give equal fingerprints, whatever the row order."""
    qualified = f'"{schema}"."{relation}"'
    rows, content = con.execute(
        f"select count(*), coalesce(sum(hash(t::varchar)::hugeint), 0)::varchar from {qualified} as t"
    ).fetchone()
    return Fingerprint(rows=int(rows), content_hash=str(content))


def mart_fingerprints(con: duckdb.DuckDBPyConnection, schema: str = MART_SCHEMA) -> dict[str, Fingerprint]:
    return {relation: fingerprint(con, relation, schema) for relation in mart_relations(con, schema)}


def file_fingerprints(path: Path, schema: str = MART_SCHEMA) -> dict[str, Fingerprint]:
    """The fingerprints of one schema of a warehouse file, opened read-only (`main`: every published relation)."""
    with duckdb.connect(str(path), read_only=True) as con:
        return mart_fingerprints(con, schema)


def differences(left: dict[str, Fingerprint], right: dict[str, Fingerprint]) -> list[str]:
    """One line per relation that is missing on one side or differs in rows or content."""
    lines = []
    for relation in sorted(set(left) | set(right)):
        a, b = left.get(relation), right.get(relation)
        if a is None or b is None:
            lines.append(f"{relation}: only in {'the second' if a is None else 'the first'} build")
        elif a != b:
            lines.append(f"{relation}: {a.rows} rows hash {a.content_hash} vs {b.rows} rows hash {b.content_hash}")
    return lines


# Columns that say when or in which batch a record was loaded: two runs over the same input differ there
# and nowhere else. lms_event.created_at is the ERD's load time of an event (its first load).
LOAD_COLUMNS = frozenset({"batch_id", "loaded_at", "first_loaded_at", "rejected_at", "first_rejected_at",
                          "last_rejected_at", "started_at", "finished_at", "duration_sec"})
LOAD_COLUMNS_BY_RELATION = {"lms_event": frozenset({"created_at"})}


def content_fingerprints(
    con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...] = ("landing", "staging", "intermediate", MART_SCHEMA)
) -> dict[str, Fingerprint]:
    """Every relation of the schemas as `schema.relation`, hashed over its columns minus the load columns."""
    placeholders = ", ".join("?" for _ in schemas)
    columns = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        f"where table_schema in ({placeholders}) order by table_schema, table_name, ordinal_position",
        list(schemas),
    ).fetchall()
    kept: dict[tuple[str, str], list[str]] = {}
    for schema, relation, column in columns:
        dropped = LOAD_COLUMNS | LOAD_COLUMNS_BY_RELATION.get(relation, frozenset())
        kept.setdefault((schema, relation), [])
        if column not in dropped:
            kept[(schema, relation)].append(column)
    result = {}
    for (schema, relation), names in kept.items():
        listed = ", ".join(f'"{name}"' for name in names)
        rows, content = con.execute(
            f'select count(*), coalesce(sum(hash(t::varchar)::hugeint), 0)::varchar '
            f'from (select {listed} from "{schema}"."{relation}") as t'
        ).fetchone()
        result[f"{schema}.{relation}"] = Fingerprint(rows=int(rows), content_hash=str(content))
    return result
