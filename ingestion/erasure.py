"""Erase one learner's personal data from the landing tables (`lms-warehouse forget`).

1. The learner's personal values are collected from every landed version of their catalog record: e-mails,
   telephones, the full name, usernames and street lines ("strong" values), and first and last names alone
   ("weak" values: "Anna" alone is not only this learner's).
2. Every VARCHAR column of every table in the `landing` schema (future tables included) is scanned, within
   the learner's organization: strong values are replaced by `[erased]` wherever they occur (raw event
   records, rejected records, other tables); weak values only in rows that belong to the learner
   (a `student_id` column equal to their id). Matching ignores case; the JSON-escaped form is matched too.
3. The learner's own catalog versions become an id-only placeholder `{"id", "updated_at", "erased": true}`;
   their content hash and every reject key stay, so re-ingesting the old record or the old file is
   recognised as a duplicate and lands nothing again.
4. `landing.erasures` records (organization, student id, time): no personal data. Staging masks the
   personal columns of every erased learner, so a later *changed* catalog record never reaches a model
   either (it lands raw; run `forget` again to scrub it from landing too).

Their events stay, under their opaque id. Deleted and overwritten values survive in free pages of the
database file: `rewrite_database_file` copies the live data into a new file and swaps it in atomically.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ingestion.batches import utc_now
from ingestion.landing import ERASURES_TABLE, LANDING_SCHEMA, catalog_table, ensure_landing_schema, storage_version
from ingestion.readers import sql_literal
from ingestion.sql_files import set_variables, statement

ERASED = "[erased]"
MIN_VALUE_LENGTH = 3  # shorter values (initials, "Li") would erase other people's text too


# Keys of a catalog record (top level and its vendor `raw` object) whose string values are personal data.
_STRONG_KEYS = re.compile(r"e-?mails?|name|full_?name|display_?name|user_?name|login|handle|"
                          r"tele?phones?|phones?|mobile|address(es)?|street|address[12]|line[12]", re.IGNORECASE)
_WEAK_KEYS = re.compile(r"first_?name|last_?name|given_?name|family_?name|middle_?name", re.IGNORECASE)
# Inside an address object only the street lines are this learner's; a city or a country is not.
_ADDRESS_LINE_KEYS = re.compile(r"address[12]?|street.*|line[12]", re.IGNORECASE)


@dataclass
class PersonalValues:
    strong: set[str] = field(default_factory=set)
    weak: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.strong or self.weak)


@dataclass(frozen=True)
class ErasureResult:
    student_id: str
    organization_id: str
    values_found: int
    rows_changed: dict[str, int]
    batches_changed: frozenset[str] = frozenset()  # the batches whose landed rows changed (the lake rewrites them)

    def summary(self) -> str:
        changed = ", ".join(f"{table} {n}" for table, n in self.rows_changed.items() if n) or "none"
        return (f"forget {self.student_id} ({self.organization_id}): {self.values_found} personal value(s) "
                f"from the catalog; rows scrubbed: {changed}")


def personal_values(records: Iterable[str]) -> PersonalValues:
    """The personal values in catalog records (JSON text of LmsStudent objects)."""
    found = PersonalValues()
    for text in records:
        try:
            record = json.loads(text)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        scopes = [record, record.get("raw") if isinstance(record.get("raw"), dict) else {}]
        for scope in scopes:
            for key, value in scope.items():
                if key == "id":
                    continue
                if _WEAK_KEYS.fullmatch(key):
                    found.weak.update(_strings(value))
                elif key.lower().startswith("address") and isinstance(value, dict):
                    found.strong.update(s for k, v in value.items() if _ADDRESS_LINE_KEYS.fullmatch(k)
                                        for s in _strings(v))
                elif _STRONG_KEYS.fullmatch(key):
                    found.strong.update(_strings(value))
        first, last = record.get("first_name"), record.get("last_name")
        if isinstance(first, str) and isinstance(last, str):
            found.strong.add(f"{first.strip()} {last.strip()}")
    found.strong = {v for v in (s.strip() for s in found.strong) if len(v) >= MIN_VALUE_LENGTH}
    found.weak = {v for v in (s.strip() for s in found.weak) if len(v) >= MIN_VALUE_LENGTH} - found.strong
    return found


def _strings(value: Any) -> Iterator[str]:
    """Every string leaf (e-mail objects, telephone lists, nested dicts)."""
    if isinstance(value, str):
        yield value.removeprefix("mailto:")
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)


def _pattern(values: Iterable[str]) -> str | None:
    """One case-insensitive RE2 alternation of the values, in their plain and JSON-escaped forms."""
    forms: set[str] = set()
    for value in values:
        forms.add(value)
        forms.add(json.dumps(value)[1:-1])
        forms.add(json.dumps(value, ensure_ascii=False)[1:-1])
    if not forms:
        return None
    return "(?i)(" + "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True)) + ")"


def erase_student(con: duckdb.DuckDBPyConnection, student_id: str, organization_id: str) -> ErasureResult:
    """Scrub one learner's personal data from every landing table and record the erasure; one transaction."""
    ensure_landing_schema(con)
    students = catalog_table("student")
    learner = {"student": student_id, "organization": organization_id}
    con.execute("begin transaction")
    try:
        records = [row[0] for row in con.execute(statement("erasure/student_catalog_records"), learner).fetchall()]
        values = personal_values(records)
        batches: set[str] = set()
        rows_changed = {students: _replace_catalog_records(con, learner, batches)}
        strong, everything = _pattern(values.strong), _pattern(values.strong | values.weak)
        set_variables(con, erasure_student=student_id, erasure_organization=organization_id,
                      erasure_replacement=ERASED)
        con.execute(statement("erasure/scrub_macros"))
        for table, columns in _landing_columns(con):
            text_columns = [column for column, data_type in columns if data_type in ("VARCHAR", "JSON")]
            if table in (students, ERASURES_TABLE) or everything is None or not text_columns:
                continue
            rows_changed[table] = _scrub(con, table, text_columns, {c for c, _ in columns}, strong, everything,
                                         batches)
        con.execute(statement("erasure/record_erasure"), {**learner, "erased_at": utc_now()})
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.execute("reset variable erasure_pattern")  # the personal values do not outlive the erasure
    return ErasureResult(student_id, organization_id, len(values.strong) + len(values.weak), rows_changed,
                         frozenset(batches))


def _replace_catalog_records(con: duckdb.DuckDBPyConnection, learner: dict[str, str], batches: set[str]) -> int:
    """The learner's catalog versions become the erased placeholder; returns how many were not one yet."""
    count, versions_batches = con.execute(statement("erasure/student_catalog_versions"), learner).fetchone()
    batches.update(versions_batches or ())
    con.execute(statement("erasure/replace_student_catalog_records"), learner)
    return int(count)


def _landing_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every base table of the landing schema with its columns and their types."""
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in con.execute(statement("landing/base_table_columns")).fetchall():
        tables.setdefault(f"{LANDING_SCHEMA}.{table}", []).append((column, data_type))
    return list(tables.items())


def _scrub(
    con: duckdb.DuckDBPyConnection,
    table: str,
    text_columns: list[str],
    all_columns: set[str],
    strong: str | None,
    everything: str | None,
    batches: set[str],
) -> int:
    """Replace the values in the table's text columns; returns the number of rows changed, adds their batches."""
    quoted = [f'"{column}"' for column in text_columns]
    own_rows = "student_id = getvariable('erasure_student')" if "student_id" in all_columns else "false"
    parts = {
        "__table__": table,
        "__assignments__": ", ".join(f"{c} = _erasure_scrubbed({c})" for c in quoted),
        "__matches__": " or ".join(f"_erasure_matches({c})" for c in quoted),
        "__in_tenant__": ("organization_id = getvariable('erasure_organization')" if "organization_id" in all_columns
                          else "true"),
        "__batch_column__": "batch_id" if "batch_id" in all_columns else "null",
    }
    changed = 0
    # A learner's own rows lose the weak values too; every other row of the tenant only the strong ones.
    for pass_rows, pattern in ((own_rows, everything), (f"not ({own_rows})", strong)):
        if pattern is None:
            continue
        set_variables(con, erasure_pattern=pattern)
        scrub = statement("erasure/scrub_text_columns")
        for placeholder, part in {**parts, "__pass_rows__": pass_rows}.items():
            scrub = scrub.replace(placeholder, part)
        rows = con.execute(scrub).fetchall()
        if "batch_id" in all_columns:
            batches.update(batch for (batch,) in rows)
        changed += len(rows)
    return changed


def rewrite_database_file(path: Path) -> None:
    """Copy the live data of the closed database file into a new file and swap it in atomically.

    Values deleted or overwritten by an UPDATE stay readable in the file's free blocks until they are reused;
    the new file holds only what is live. The caller must hold no connection to `path`.
    """
    fresh = path.with_name(path.name + ".rewrite")
    for leftover in (fresh, fresh.with_name(fresh.name + ".wal")):
        leftover.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        (name,) = con.execute("select current_database()").fetchone()
        # the same storage format, so every column keeps the compression it names (landing.py); ATTACH takes its
        # path only as a literal (DuckDB's parser refuses a parameter there)
        version = storage_version(con)
        attach = f"attach {sql_literal(str(fresh))} as _rewrite"
        if version:
            con.execute(f"{attach} (storage_version $version)", {"version": version})
        else:
            con.execute(attach)
        con.execute(f'copy from database "{name}" to _rewrite')
        con.execute("detach _rewrite")
    finally:
        con.close()
    os.replace(fresh, path)
    stale_wal = path.with_name(path.name + ".wal")
    if stale_wal.exists():  # a clean close leaves none; one left here belongs to the old file, never the new one
        stale_wal.unlink()


def learner_is_known(con: duckdb.DuckDBPyConnection, student_id: str, organization_id: str) -> bool:
    """The learner has a catalog record or landed events in the organization."""
    (known,) = con.execute(statement("erasure/learner_is_known"),
                           {"student": student_id, "organization": organization_id}).fetchone()
    return bool(known)
