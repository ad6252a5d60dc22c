"""The landing lake: every landed batch as immutable Parquet files beside the warehouse, its durable copy.

The warehouse file is the one place the landed records live; this lake is the second, and `lms-warehouse restore`
rebuilds the landing from it alone. Layout under `LMS_LAKE_PATH` (default: the folder `lake` beside the warehouse
file, `warehouse/lake/` for the default warehouse):

    <table>/organization_id=<org>[/event_date=<YYYY-MM-DD>]/<batch_id>-g<generation>-data_<n>.parquet
    _manifests/<batch_id>.json     the batch's commit record: its tables, files, row counts and sha256 checksums
    _staging/<batch_id>-g<gen>/    files being written, not yet part of the lake

`<table>` is a landing table with a `batch_id` column (every one but `erasures`, whose rows are written as batches
of their own, one per `forget`); `lms_events` is also partitioned by the UTC day of `occurred_at`. Partition values
are URL-encoded, as Hive and Spark do. The partition columns stay inside the files too, so every file reads alone.
Instants are written as UTC-adjusted Parquet timestamps (Spark reads them as `timestamp`, not `timestamp_ntz`).

A batch is written to `_staging`, its manifest is then written under a temporary name and renamed (the commit),
and only then are its files moved into the table folders. A kill before the rename leaves only staged files, which
the next writer deletes; a kill after it leaves a committed manifest whose remaining files the next writer moves
(`recover`). So a table folder never shows a batch that has no manifest, and a manifest always names whole files.
A rewrite (`forget`) is a new generation of the batch's files, committed the same way, after which the previous
generation's files are deleted.

Every path goes through fsspec, and DuckDB writes through the same filesystem object, so another filesystem
(`s3://...`) is a change of `LMS_LAKE_PATH` and the fsspec package for it (tested here: local folders, and
fsspec's `memory://`).
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import fsspec

from ingestion.batches import utc_now
from ingestion.errors import IngestError
from ingestion.landing import ERASURES_TABLE, LANDING_SCHEMA, ensure_landing_schema
from ingestion.sql_files import set_variables, statement

LAKE_ENV = "LMS_LAKE_PATH"
MANIFESTS = "_manifests"
STAGING = "_staging"
BUILDS = "_builds"
MANIFEST_FORMAT = 1
# The tables partitioned by more than the organization, and how: the UTC day of the event.
_EXTRA_PARTITIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "lms_events": (("event_date", "cast(occurred_at as date)"),),
}
_FILE_NAME = re.compile(r"^(?P<batch>.+)-g(?P<generation>\d+)-(?P<name>data_\d+\.parquet)$")

Progress = Callable[[str], None]


class LakeError(IngestError):
    """The lake cannot be read or written as asked; the text says what and what to do."""


def lake_url(warehouse: Path) -> str:
    """`LMS_LAKE_PATH` (a folder, or an fsspec URL such as `s3://bucket/lake`), else `lake/` beside the warehouse."""
    value = os.environ.get(LAKE_ENV)
    if value is not None and not value.strip():
        raise LakeError(f"{LAKE_ENV} is set but empty: unset it (default: the folder lake/ beside the warehouse "
                        "file) or set it to the lake's folder or URL")
    if not value:
        return str(warehouse.parent / "lake")
    return value if "://" in value else str(Path(value).resolve())


@dataclass(frozen=True)
class LakeFile:
    path: str  # relative to the lake root, POSIX
    rows: int
    sha256: str
    bytes: int


@dataclass(frozen=True)
class Manifest:
    batch_id: str
    generation: int
    kind: str
    tables: dict[str, tuple[LakeFile, ...]]
    written_at: str
    replaces: tuple[str, ...] = ()  # the previous generation's files, deleted once this one is in place

    def rows(self, table: str) -> int:
        return sum(f.rows for f in self.tables.get(table, ()))

    def to_json(self) -> str:
        return json.dumps({
            "format": MANIFEST_FORMAT, "batch_id": self.batch_id, "generation": self.generation, "kind": self.kind,
            "written_at": self.written_at, "replaces": list(self.replaces),
            "tables": {table: {"rows": self.rows(table), "files": [vars(f) for f in files]}
                       for table, files in sorted(self.tables.items())},
        }, indent=1)

    @staticmethod
    def from_json(text: str) -> Manifest:
        data = json.loads(text)
        if data.get("format") != MANIFEST_FORMAT:
            raise ValueError(f"manifest format {data.get('format')!r}, expected {MANIFEST_FORMAT}")
        return Manifest(
            batch_id=data["batch_id"], generation=int(data["generation"]), kind=data["kind"],
            written_at=data["written_at"], replaces=tuple(data.get("replaces", ())),
            tables={table: tuple(LakeFile(**f) for f in entry["files"]) for table, entry in data["tables"].items()},
        )


class Lake:
    """One lake: its filesystem and root, and the batches it holds."""

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.fs, root = fsspec.core.url_to_fs(url)
        except (ImportError, ValueError) as exc:
            raise LakeError(f"cannot open the lake {url} ({exc}): set {LAKE_ENV} to a folder, or install the fsspec "
                            "package for that URL's scheme") from None
        self.root = root.rstrip("/")
        protocol = self.fs.protocol if isinstance(self.fs.protocol, str) else self.fs.protocol[0]
        self._local = protocol in ("file", "local")
        self._protocol = protocol

    # -- paths -------------------------------------------------------------------------------------------------
    def _abs(self, relative: str) -> str:
        return posixpath.join(self.root, relative)

    def duckdb_path(self, relative: str) -> str:
        """The path DuckDB opens for `relative`: a plain path, or the URL of the filesystem it was given."""
        path = self._abs(relative)
        return path if self._local else f"{self._protocol}://{path.lstrip('/')}"

    def attach(self, con: duckdb.DuckDBPyConnection) -> None:
        """Let DuckDB read and write this lake's filesystem (a local one needs nothing). The landing's naive
        timestamps are UTC: the session zone makes their cast to and from the lake's UTC instants exact."""
        con.execute("set TimeZone = 'UTC'")
        if not self._local and not con.filesystem_is_registered(self._protocol):
            con.register_filesystem(self.fs)

    # -- manifests ---------------------------------------------------------------------------------------------
    def manifests(self) -> dict[str, Manifest]:
        """Every committed batch of the lake, by batch id."""
        found: dict[str, Manifest] = {}
        for path in sorted(self.fs.glob(self._abs(f"{MANIFESTS}/*.json"))):
            try:
                manifest = Manifest.from_json(self.fs.cat_file(path).decode("utf-8"))
            except (ValueError, KeyError, TypeError) as exc:
                raise LakeError(f"the lake manifest {path} is unreadable ({exc}): restore it from a backup of the "
                                "lake, or move it away and run `lms-warehouse lake sync` to write the batch "
                                "again from the warehouse") from None
            found[manifest.batch_id] = manifest
        return found

    def _commit(self, manifest: Manifest) -> None:
        """Write the manifest under a temporary name and rename it: the batch is in the lake from here on."""
        final = self._abs(f"{MANIFESTS}/{manifest.batch_id}.json")
        temporary = self._abs(f"{MANIFESTS}/.{manifest.batch_id}.json.tmp")
        self.fs.makedirs(self._abs(MANIFESTS), exist_ok=True)
        self.fs.pipe_file(temporary, manifest.to_json().encode("utf-8"))
        self.fs.mv(temporary, final)

    # -- writing -----------------------------------------------------------------------------------------------
    def write_batch(
        self,
        con: duckdb.DuckDBPyConnection,
        batch_id: str,
        kind: str,
        selections: dict[str, str],
        previous: Manifest | None = None,
    ) -> Manifest:
        """Write the rows `selections` picks ({landing table: the statement that makes them the view _lake_rows,
        batch_rows.sql or erasure_rows.sql, with the session variables it reads set}) as the generation after
        `previous` (the batch's manifest in the lake, if any)."""
        generation = previous.generation + 1 if previous else 1
        staged_dir = f"{STAGING}/{batch_id}-g{generation}"
        self.attach(con)
        if self.fs.exists(self._abs(staged_dir)):
            self.fs.rm(self._abs(staged_dir), recursive=True)
        self.fs.makedirs(self._abs(staged_dir), exist_ok=True)
        tables: dict[str, tuple[LakeFile, ...]] = {}
        try:
            for table, rows in selections.items():
                con.execute(statement(rows).replace("__table__", f"{LANDING_SCHEMA}.{table}"))
                files = self._write_table(con, table, staged_dir, batch_id, generation)
                if files:
                    tables[table] = files
        finally:
            con.execute("drop view if exists _lake_rows")
        manifest = Manifest(batch_id, generation, kind, tables, f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%S.%fZ}",
                            replaces=tuple(f.path for files in (previous.tables if previous else {}).values()
                                           for f in files))
        self._commit(manifest)
        self._finish(manifest)
        return manifest

    def _write_table(
        self, con: duckdb.DuckDBPyConnection, table: str, staged_dir: str, batch_id: str, generation: int
    ) -> tuple[LakeFile, ...]:
        """Write the view _lake_rows of the table into the staging folder; its files, as they will be named."""
        (count,) = con.execute("select count(*) from _lake_rows").fetchone()
        if not count:
            return ()
        columns = _columns(con, table)
        extra = _EXTRA_PARTITIONS.get(table, ())
        select = ", ".join([*(f"cast({_q(c)} as timestamptz) as {_q(c)}" if t == "TIMESTAMP" else _q(c)
                              for c, t in columns), *(f"{expr} as {name}" for name, expr in extra)])
        partitions = ", ".join(["organization_id", *(name for name, _ in extra)])
        target = f"{staged_dir}/{table}"
        con.execute(statement("lake/write_table_files").replace("__columns__", select)
                    .replace("__partitions__", partitions), {"path": self.duckdb_path(target)})
        files = []
        for staged in sorted(self.fs.find(self._abs(target))):
            relative = posixpath.relpath(staged, self._abs(target))
            folder, name = posixpath.split(relative)
            final = posixpath.join(table, folder, f"{batch_id}-g{generation}-{name}")
            files.append(LakeFile(final, self._row_count(con, staged), self._sha256(staged), self.fs.size(staged)))
        if sum(f.rows for f in files) != count:
            raise LakeError(f"the lake files of batch {batch_id} in {table} hold {sum(f.rows for f in files)} rows, "
                            f"the warehouse {count}: nothing was committed; retry `lms-warehouse lake sync`")
        return tuple(files)

    def _row_count(self, con: duckdb.DuckDBPyConnection, absolute: str) -> int:
        path = absolute if self._local else f"{self._protocol}://{absolute.lstrip('/')}"
        (rows,) = con.execute("select num_rows from parquet_file_metadata($path)", {"path": path}).fetchone()
        return int(rows)

    def _sha256(self, absolute: str) -> str:
        digest = hashlib.sha256()
        with self.fs.open(absolute, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()

    def _staged_path(self, manifest: Manifest, file: LakeFile) -> str:
        table, rest = file.path.split("/", 1)
        folder, name = posixpath.split(rest)
        match = _FILE_NAME.match(name)
        original = match.group("name") if match else name
        return posixpath.join(STAGING, f"{manifest.batch_id}-g{manifest.generation}", table, folder, original)

    def _finish(self, manifest: Manifest) -> None:
        """Move a committed manifest's staged files into place, then delete what it replaces and its staging."""
        for files in manifest.tables.values():
            for file in files:
                final, staged = self._abs(file.path), self._abs(self._staged_path(manifest, file))
                if not self.fs.exists(final) and self.fs.exists(staged):
                    self.fs.makedirs(posixpath.dirname(final), exist_ok=True)
                    self.fs.mv(staged, final)
        current = {f.path for files in manifest.tables.values() for f in files}
        for old in manifest.replaces:
            if old not in current and self.fs.exists(self._abs(old)):
                self.fs.rm(self._abs(old))
        staged_dir = self._abs(f"{STAGING}/{manifest.batch_id}-g{manifest.generation}")
        if self.fs.exists(staged_dir):
            self.fs.rm(staged_dir, recursive=True)

    def recover(self) -> None:
        """Finish what a killed writer left: a committed batch's files are moved into place, an uncommitted one's
        staged files deleted. Run it holding the warehouse's writer lock."""
        if not self.fs.exists(self._abs(STAGING)):
            return
        manifests = self.manifests()
        for staged_dir in self.fs.ls(self._abs(STAGING), detail=False):
            name = posixpath.basename(staged_dir.rstrip("/"))
            batch, _, generation = name.rpartition("-g")
            manifest = manifests.get(batch)
            if manifest is not None and str(manifest.generation) == generation:
                self._finish(manifest)
            else:
                self.fs.rm(staged_dir, recursive=True)
        for leftover in self.fs.glob(self._abs(f"{MANIFESTS}/.*.tmp")):
            self.fs.rm(leftover)

    # -- reading -----------------------------------------------------------------------------------------------
    def files(self, manifests: Iterable[Manifest], table: str) -> list[str]:
        return [self.duckdb_path(f.path) for m in manifests for f in m.tables.get(table, ())]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def landing_columns(con: duckdb.DuckDBPyConnection, table: str | None = None) -> dict[str, list[tuple[str, str]]]:
    """{landing table: [(column, DuckDB type), ...] in order} of every landing table, or of `table`: what the lake's
    files and Spark's views hold."""
    columns: dict[str, list[tuple[str, str]]] = {}
    for name, column, data_type in con.execute(statement("lake/landing_columns"), {"table_name": table}).fetchall():
        columns.setdefault(name, []).append((column, data_type))
    return columns


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return landing_columns(con, table).get(table, [])


def batch_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The landing tables whose rows belong to batches (a `batch_id` column): every one but `erasures`."""
    return [table for table, column, _ in con.execute(statement("landing/base_table_columns")).fetchall()
            if column == "batch_id"]


def warehouse_batches(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, int]]:
    """{batch id: {landing table: rows}} of every batch in the warehouse."""
    batches: dict[str, dict[str, int]] = {}
    for table in batch_tables(con):
        for batch, rows in con.execute(f"select batch_id, count(*) from {LANDING_SCHEMA}.{table} group by batch_id"
                                       ).fetchall():
            batches.setdefault(batch, {})[table] = int(rows)
    return batches


def sync(con: duckdb.DuckDBPyConnection, lake: Lake, progress: Progress | None = None) -> list[Manifest]:
    """Write to the lake every batch of the warehouse it does not hold yet (all of them after a kill or a new
    lake); returns the manifests written. Run it holding the warehouse's writer lock."""
    lake.recover()
    in_warehouse = warehouse_batches(con)
    missing = sorted(set(in_warehouse) - set(lake.manifests()))
    written = []
    for number, batch_id in enumerate(missing, 1):
        written.append(_write(con, lake, batch_id, in_warehouse[batch_id], None))
        if progress and len(missing) > 1:
            progress(f"lake: batch {number}/{len(missing)} {batch_id} written")
    return written


def rewrite_batches(con: duckdb.DuckDBPyConnection, lake: Lake, batch_ids: Iterable[str]) -> int:
    """Write these batches' rows again as a new generation (after `forget` changed them); the old files go."""
    lake.recover()
    in_warehouse, in_lake = warehouse_batches(con), lake.manifests()
    wanted = sorted(set(batch_ids) & set(in_warehouse))
    for batch_id in wanted:
        _write(con, lake, batch_id, in_warehouse[batch_id], in_lake.get(batch_id))
    return len(wanted)


def _write(
    con: duckdb.DuckDBPyConnection, lake: Lake, batch_id: str, tables: dict[str, int], previous: Manifest | None
) -> Manifest:
    if previous is not None:
        kind = previous.kind
    else:
        row = con.execute(f"select kind from {LANDING_SCHEMA}.ingest_batches where batch_id = ?", [batch_id]).fetchone()
        kind = row[0] if row else "+".join(sorted(tables))
    set_variables(con, lake_batch_id=batch_id)
    return lake.write_batch(con, batch_id, kind, dict.fromkeys(sorted(tables), "lake/batch_rows"), previous)


def record_erasure(con: duckdb.DuckDBPyConnection, lake: Lake, student_id: str, organization_id: str) -> Manifest:
    """The `landing.erasures` row of one learner, as a batch of its own (that table has no batch id). Its id is
    derived from the learner, so forgetting them again writes the same batch, not a second row."""
    key = hashlib.sha256(f"{organization_id}\0{student_id}".encode()).hexdigest()[:20]
    batch_id = f"erasure-{key}"
    set_variables(con, lake_organization=organization_id, lake_student=student_id)
    return lake.write_batch(con, batch_id, "erasure", {ERASURES_TABLE.split(".")[1]: "lake/erasure_rows"},
                            lake.manifests().get(batch_id))


# -- reconciliation -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    batch_id: str
    line: str  # what is wrong, and what to run
    rewritable: bool  # the warehouse holds the batch: `lake sync --rewrite` writes it again


def check(con: duckdb.DuckDBPyConnection, lake: Lake) -> tuple[int, list[Problem]]:
    """Each batch, warehouse against lake: the same tables and row counts, every file present with its rows
    and checksum. Returns (batches checked, the problems found)."""
    in_lake = lake.manifests()
    in_warehouse = warehouse_batches(con)
    erasures = _erasure_rows(con)
    problems = [Problem(b, f"batch {b}: in the warehouse, not in the lake: run `lms-warehouse lake sync`", True)
                for b in sorted(set(in_warehouse) - set(in_lake))]
    for batch_id, manifest in sorted(in_lake.items()):
        if manifest.kind == "erasure":
            expected = {"erasures": 1} if _erasure_key(con, lake, manifest) in erasures else {}
        else:
            expected = in_warehouse.get(batch_id, {})
            if not expected:
                problems.append(Problem(batch_id, f"batch {batch_id}: in the lake, not in the warehouse: "
                                        "`lms-warehouse restore --force` rebuilds the landing from the lake", False))
                continue
        held = {table: manifest.rows(table) for table in manifest.tables}
        rewritable = manifest.kind != "erasure"
        fix = "run `lms-warehouse lake sync --rewrite` to write it again from the warehouse" if rewritable else \
            "run `lms-warehouse forget` for that learner again"
        if held != expected:
            problems.append(Problem(batch_id, f"batch {batch_id}: rows differ, warehouse {expected} against lake "
                                    f"{held}: {fix}", rewritable))
        problems.extend(Problem(batch_id, f"{line}: {fix}", rewritable) for line in _file_problems(con, lake, manifest))
    return len(set(in_lake) | set(in_warehouse)), problems


def _erasure_rows(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    return {(o, s) for o, s in con.execute(f"select organization_id, student_id from {ERASURES_TABLE}").fetchall()}


def _erasure_key(con: duckdb.DuckDBPyConnection, lake: Lake, manifest: Manifest) -> tuple[str, str] | None:
    files = lake.files([manifest], "erasures")
    if not files:
        return None
    lake.attach(con)
    row = con.execute("select organization_id, student_id from read_parquet($files, hive_partitioning = false) limit 1",
                      {"files": files}).fetchone()
    return (row[0], row[1]) if row else None


def _file_problems(con: duckdb.DuckDBPyConnection, lake: Lake, manifest: Manifest) -> Iterator[str]:
    for files in manifest.tables.values():
        for file in files:
            absolute = lake._abs(file.path)
            if not lake.fs.exists(absolute):
                yield f"batch {manifest.batch_id}: file {file.path} is missing from the lake"
                continue
            if lake._sha256(absolute) != file.sha256:
                yield f"batch {manifest.batch_id}: file {file.path} does not match its checksum (changed or damaged)"
            elif lake._row_count(con, absolute) != file.rows:
                yield f"batch {manifest.batch_id}: file {file.path} holds other than its {file.rows} rows"


# -- restore ----------------------------------------------------------------------------------------------------
def restore_landing(con: duckdb.DuckDBPyConnection, lake: Lake, progress: Progress | None = None) -> dict[str, int]:
    """Fill the (empty) landing tables of `con` from every committed batch of the lake; {table: rows}."""
    ensure_landing_schema(con)
    lake.attach(con)
    manifests = sorted(lake.manifests().values(), key=lambda m: m.batch_id)
    if not manifests:
        raise LakeError(f"the lake {lake.url} holds no batch: nothing to restore (check {LAKE_ENV})")
    tables = sorted({t for m in manifests for t in m.tables})
    restored: dict[str, int] = {}
    con.execute("begin transaction")
    try:
        for table in tables:
            (existing,) = con.execute(f"select count(*) from {LANDING_SCHEMA}.{table}").fetchone()
            if existing:
                raise LakeError(f"landing.{table} already holds {existing:,} rows: restore fills a new warehouse")
            files = lake.files(manifests, table)
            available = {name for (name,) in con.execute("select name from parquet_schema($file)",
                                                         {"file": files[0]}).fetchall()}
            columns = [(c, t) for c, t in _columns(con, table) if c in available]
            select = ", ".join(f"cast({_q(c)} as timestamp) as {_q(c)}" if t == "TIMESTAMP" else _q(c)
                               for c, t in columns)
            names = ", ".join(_q(c) for c, _ in columns)
            con.execute(statement("lake/restore_table").replace("__table__", f"{LANDING_SCHEMA}.{table}")
                        .replace("__names__", names).replace("__columns__", select), {"files": files})
            (rows,) = con.execute(f"select count(*) from {LANDING_SCHEMA}.{table}").fetchone()
            expected = sum(m.rows(table) for m in manifests)
            if rows != expected:
                raise LakeError(f"restoring landing.{table} read {rows:,} rows, the lake's manifests say {expected:,}: "
                                "run `lms-warehouse lake check` on the lake")
            restored[table] = int(rows)
            if progress:
                progress(f"restored landing.{table}: {rows:,} rows")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return restored


# -- builds -------------------------------------------------------------------------------------------------------
def record_build(lake: Lake, as_of: datetime) -> None:
    """The as-of of the warehouse's last whole build, so a restored warehouse is built at the same 'now'."""
    lake.fs.makedirs(lake._abs(BUILDS), exist_ok=True)
    temporary = lake._abs(f"{BUILDS}/.last.json.tmp")
    lake.fs.pipe_file(temporary, json.dumps({"as_of": f"{as_of:%Y-%m-%d %H:%M:%S}",
                                             "recorded_at": f"{utc_now():%Y-%m-%d %H:%M:%S}"}).encode("utf-8"))
    lake.fs.mv(temporary, lake._abs(f"{BUILDS}/last.json"))


def last_build_as_of(lake: Lake) -> datetime | None:
    path = lake._abs(f"{BUILDS}/last.json")
    if not lake.fs.exists(path):
        return None
    try:
        return datetime.fromisoformat(json.loads(lake.fs.cat_file(path))["as_of"])
    except (ValueError, KeyError, TypeError):
        return None



# -- a restored warehouse's first build ---------------------------------------------------------------------------
_RESTORED = "build_state.restored_from_lake"


def mark_restored(con: duckdb.DuckDBPyConnection, as_of: datetime | None) -> None:
    """Remember, in the restored warehouse, the as-of its first build should use (the lost warehouse's last)."""
    con.execute("create schema if not exists build_state")
    con.execute(f"create or replace table {_RESTORED} (as_of_at timestamp)")
    if as_of is not None:
        con.execute(f"insert into {_RESTORED} values (cast(? as timestamp))", [f"{as_of:%Y-%m-%d %H:%M:%S}"])


def restored_as_of(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The as-of `mark_restored` left for the first build after `restore`, if that build has not run yet."""
    try:
        row = con.execute(f"select max(as_of_at) from {_RESTORED}").fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


def clear_restored(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"drop table if exists {_RESTORED}")
