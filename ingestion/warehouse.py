"""Where the warehouse file lives, how to open it, and the one-writer-at-a-time lock around every write.

DuckDB lets one process at a time open a file read-write; a second process fails at once with a lock
error. Every write session of this project (ingestion, `dbt build` in process, the Dagster assets)
first takes an inter-process lock on `<warehouse>.lock` (`fcntl.flock`) and waits for it, so a second
writer waits for the first instead of failing. The lock is re-entrant within a process (DuckDB shares
one database instance between connections of a process), released when the session ends, and freed by
the kernel if the process dies (SIGKILL included): a crashed writer never leaves a stale lock.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingestion import lake
from ingestion.errors import IngestError
from ingestion.landing import ensure_landing_schema
from ingestion.readers import sql_literal
from ingestion.sql_files import statement

PROJECT_DIR = Path(__file__).resolve().parents[1]
DEFAULT_WAREHOUSE = "warehouse/lms.duckdb"
_HEADER_BYTES = 3 * 4096  # a DuckDB file's main header and two database headers, before its first block
# The storage format a new warehouse file is created with (fixed for the file's life). v1.2.0 adds ZSTD for
# strings, which lands the raw event text faster and smaller (landing.py); DuckDB 1.2 and later read it.
STORAGE_VERSION = "v1.2.0"
LOCK_TIMEOUT_ENV = "LMS_WRITER_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT_SECONDS = 3600.0
_POLL_SECONDS = 0.2
_REPORT_EVERY_SECONDS = 30.0

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


class WarehouseLockTimeout(IngestError):
    """Another writer held the warehouse longer than the configured timeout."""


def warehouse_path() -> Path:
    """The DuckDB file: `LMS_WAREHOUSE_PATH` (relative to the working directory), else the project's
    `warehouse/lms.duckdb`, whatever the working directory: a command run from elsewhere finds the project's
    warehouse instead of creating an empty one there. Set but blank is refused: a broken setting."""
    value = os.environ.get("LMS_WAREHOUSE_PATH")
    if value is not None and not value.strip():
        raise IngestError("LMS_WAREHOUSE_PATH is set but empty: unset it (default warehouse/lms.duckdb) "
                          "or set it to the warehouse file's path")
    return Path(value).resolve() if value else PROJECT_DIR / DEFAULT_WAREHOUSE


def ensure_warehouse_folder(path: Path) -> None:
    """The warehouse's folder exists and takes files (the file, its WAL and its lock); else one line saying so."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        probe = path.with_name(f".{path.name}.{os.getpid()}.probe")
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise IngestError(f"cannot write the warehouse {path} in {path.parent} ({exc.strerror or exc}): set "
                          "LMS_WAREHOUSE_PATH to a file in a writable folder") from None


def open_warehouse(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, with the failures a user can cause said in one line naming the path and what to do."""
    recovering = path.with_name(path.name + ".wal").exists()  # a crash left a WAL: its blocks are not in the file
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        problem = warehouse_problem(exc, path)
        if problem is None:
            raise
        raise IngestError(problem) from None
    # A file cut short may still open (its header and catalog are whole) and fail at its first missing block,
    # after a build wrote into it: the blocks its tables use must all be in the file (66 ms for 111 tables).
    try:
        missing = None if recovering or not path.exists() else _bytes_missing(con, path)
    except duckdb.IOException as exc:
        con.close()
        problem = warehouse_problem(exc, path)
        if problem is None:
            raise
        raise IngestError(problem) from None
    if missing:
        con.close()
        raise IngestError(f"{path} is not a readable DuckDB warehouse (cut short: {missing:,} bytes of its tables' "
                          "blocks are missing): point LMS_WAREHOUSE_PATH at the warehouse file, or move this one "
                          "away and ingest the sources again")
    return con


def _bytes_missing(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """How many bytes the file lacks to hold every block its tables' checkpointed data uses (0: none)."""
    last = -1
    for schema, table in con.execute(statement("warehouse_file/database_tables")).fetchall():
        quoted = '"' + schema.replace('"', '""') + '"."' + table.replace('"', '""') + '"'
        # The table's name, an identifier, as the literal pragma_storage_info needs: it takes no column, and a
        # prepared parameter would make the Python client import pandas in every process that opens the warehouse.
        (block,) = con.execute(f"select max(block_id) from pragma_storage_info({sql_literal(quoted)})").fetchone()
        last = max(last, block if block is not None else -1)
    (block_size,) = con.execute(statement("warehouse_file/block_size")).fetchone()
    needed = _HEADER_BYTES + (last + 1) * block_size
    return max(needed - path.stat().st_size, 0)


def warehouse_problem(exc: BaseException, path: Path | None = None) -> str | None:
    """One line for a DuckDB error a user can fix (a file that is no warehouse or is cut short, a file another
    process holds open), whenever it surfaces: a truncated file opens and fails at its first missing block."""
    if not isinstance(exc, duckdb.IOException):
        return None
    text = str(exc).removeprefix("IO Error: ").strip().splitlines()[0]
    path = path or warehouse_path()
    if "Conflicting lock" in text:
        holder = text.split("Conflicting lock is held in", 1)[-1].split(". See", 1)[0].strip()
        return (f"the warehouse {path} is open in another process ({holder}): close that DuckDB session (a "
                "read-write connection locks the file) and retry")
    if "not a valid DuckDB database file" in text or "Could not read enough bytes" in text:
        return (f"{path} is not a readable DuckDB warehouse ({text}): point LMS_WAREHOUSE_PATH at the warehouse "
                "file, or move this one away and ingest the sources again")
    return None


def create_warehouse_file(path: Path) -> None:
    """Create an empty warehouse file in STORAGE_VERSION's format if there is none at `path` yet.

    Call it holding the writer lock. Whoever opens the file first fixes its format: without this, a file first
    opened by dbt or a plain `duckdb.connect` gets DuckDB's oldest default format and keeps it."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    duckdb.connect(str(path), config={"storage_compatibility_version": STORAGE_VERSION}).close()


def lock_path_for(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


def lock_timeout_seconds() -> float:
    """`LMS_WRITER_LOCK_TIMEOUT` (seconds; 0 = do not wait), default one hour."""
    value = os.environ.get(LOCK_TIMEOUT_ENV)
    if not value:
        return DEFAULT_LOCK_TIMEOUT_SECONDS
    try:
        seconds = float(value)
    except ValueError:
        raise IngestError(f"{LOCK_TIMEOUT_ENV}={value!r} is not a number of seconds") from None
    return max(seconds, 0.0)


@dataclass
class _Held:
    fd: int
    depth: int
    pid: int


_held: dict[Path, _Held] = {}
_guard = threading.RLock()  # re-entrant: a collected connection may release its lock from inside a guarded block


def _holder(lock_path: Path) -> str:
    try:
        text = lock_path.read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    return text or "another process"


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _wait_for_lock(fd: int, lock_path: Path, timeout: float, say: Progress) -> None:
    started = time.monotonic()
    next_report = 0.0
    while not _try_lock(fd):
        waited = time.monotonic() - started
        if waited >= timeout:
            raise WarehouseLockTimeout(
                f"the warehouse is busy: {_holder(lock_path)} still writes after {waited:.0f} s "
                f"(lock {lock_path}); retry later or raise {LOCK_TIMEOUT_ENV} (seconds)"
            )
        if waited >= next_report:
            say(f"waiting for the warehouse writer lock {lock_path}: held by {_holder(lock_path)} "
                f"(waited {waited:.0f} s, timeout {timeout:.0f} s)")
            next_report = waited + _REPORT_EVERY_SECONDS
        time.sleep(_POLL_SECONDS)


def _acquire(warehouse: Path, timeout: float | None, progress: Progress | None) -> Callable[[], None]:
    """Take the writer lock of `warehouse` (re-entrant per process); return its idempotent release."""
    lock_path = lock_path_for(warehouse)
    pid = os.getpid()
    with _guard:
        held = _held.get(lock_path)
        if held is not None and held.pid != pid:  # inherited through fork: the child owns nothing
            del _held[lock_path]
            held = None
        if held is not None:
            held.depth += 1
            return _releaser(lock_path)
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _wait_for_lock(fd, lock_path, lock_timeout_seconds() if timeout is None else timeout,
                           progress or log.warning)
        except BaseException:
            os.close(fd)
            raise
        since = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {pid} ({' '.join(sys.argv[:3])[:120]}) since {since}\n".encode(), 0)
        _held[lock_path] = _Held(fd=fd, depth=1, pid=pid)
    return _releaser(lock_path)


def _releaser(lock_path: Path) -> Callable[[], None]:
    done = False

    def release() -> None:
        nonlocal done
        with _guard:
            if done:
                return
            done = True
            held = _held.get(lock_path)
            if held is None or held.pid != os.getpid():
                return
            held.depth -= 1
            if held.depth == 0:
                del _held[lock_path]
                os.ftruncate(held.fd, 0)
                fcntl.flock(held.fd, fcntl.LOCK_UN)
                os.close(held.fd)

    return release


@contextmanager
def writer_lock(
    path: Path | None = None, *, timeout: float | None = None, progress: Progress | None = None
) -> Iterator[Path]:
    """Hold the one-writer lock of the warehouse for the `with` block; wait for another writer first.

    `timeout` in seconds (default `LMS_WRITER_LOCK_TIMEOUT`, else one hour); `progress` receives the
    waiting messages (default: a warning on this module's logger). Raises `WarehouseLockTimeout`.
    """
    target = (path or warehouse_path()).resolve()
    release = _acquire(target, timeout, progress)
    try:
        yield target
    finally:
        release()


# id(connection) -> the finaliser that releases its writer lock (runs on close_connection or when collected)
_connection_locks: dict[int, weakref.finalize] = {}


def connect(
    path: Path | None = None, *, timeout: float | None = None, progress: Progress | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-write, with UTC as the session time zone, landing tables ensured.

    The connection holds the writer lock until `close_connection(con)` (or until it is garbage
    collected); prefer `with write_session() as con:`, which releases it deterministically.
    """
    target = (path or warehouse_path()).resolve()
    ensure_warehouse_folder(target)
    release = _acquire(target, timeout, progress)
    try:
        create_warehouse_file(target)
        con = open_warehouse(target)
        con.execute("set TimeZone = 'UTC'")
        con.execute("set enable_progress_bar = false")
        ensure_landing_schema(con)
    except BaseException:
        release()
        raise
    key = id(con)
    _connection_locks[key] = weakref.finalize(con, _release_connection_lock, key, release)
    return con


def _release_connection_lock(key: int, release: Callable[[], None]) -> None:
    _connection_locks.pop(key, None)
    release()


def close_connection(con: duckdb.DuckDBPyConnection) -> None:
    """Close a connection from `connect` and release its writer lock now."""
    con.close()
    finalizer = _connection_locks.get(id(con))
    if finalizer is not None:
        finalizer()


@contextmanager
def write_session(
    path: Path | None = None, *, timeout: float | None = None, progress: Progress | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection under the writer lock, closed and unlocked when the block ends. When the block
    succeeds, every batch it landed is written to the landing lake (ingestion/lake.py) before the lock is freed."""
    con = connect(path, timeout=timeout, progress=progress)
    try:
        yield con
        sync_lake(con, (path or warehouse_path()).resolve(), progress)
    finally:
        close_connection(con)


def sync_lake(con: duckdb.DuckDBPyConnection, warehouse: Path, progress: Progress | None = None) -> int:
    """Write the batches the lake lacks; returns how many. A failure says the batches are safe in the warehouse."""
    target = lake.lake_url(warehouse)
    try:
        return len(lake.sync(con, lake.Lake(target), progress))
    except (OSError, duckdb.Error) as exc:
        raise lake.LakeError(f"the batch landed in the warehouse, but writing it to the lake {target} failed "
                             f"({str(exc).splitlines()[0]}): fix that and run `lms-warehouse lake sync`") from None
