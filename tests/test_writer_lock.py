"""One writer at a time on the DuckDB file: a second writer waits for the first, never fails on the lock.

The subprocess tests hold the writer lock in the test process first, so both CLI writers are provably
waiting at the same time before either may write; no sleeps, no timing assumptions.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingestion.warehouse import (
    WarehouseLockTimeout,
    close_connection,
    connect,
    lock_path_for,
    write_session,
    writer_lock,
)

FIXTURE = Path(__file__).parent / "fixtures" / "e2e" / "events"
CLI = Path(sys.executable).with_name("lms-warehouse")
WAITING = "waiting for the warehouse writer lock"


def _cli(*args: str, warehouse: Path, timeout: str) -> subprocess.Popen[str]:
    env = {**os.environ, "LMS_WAREHOUSE_PATH": str(warehouse), "LMS_WRITER_LOCK_TIMEOUT": timeout}
    return subprocess.Popen(
        [str(CLI), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def _read_until_waiting(process: subprocess.Popen[str]) -> list[str]:
    """Lines of stderr up to the waiting message; fails if the process ends without waiting."""
    assert process.stderr is not None
    seen: list[str] = []
    for line in process.stderr:
        seen.append(line)
        if WAITING in line:
            return seen
    raise AssertionError(f"the writer never waited for the lock: {''.join(seen)}")


def _ensure_landing(warehouse: Path) -> None:
    with write_session(warehouse):
        pass  # a fresh file with its landing tables, as every writer would create it


def test_two_cli_writers_at_once_both_succeed_and_counts_reconcile(warehouse_path: Path) -> None:
    _ensure_landing(warehouse_path)
    with writer_lock(warehouse_path):
        # A lands both days, B lands day 2 only: whichever writes second counts day 2 as duplicates.
        first = _cli("ingest", "events", str(FIXTURE), warehouse=warehouse_path, timeout="600")
        second = _cli("ingest", "events", str(FIXTURE / "day2.jsonl"), warehouse=warehouse_path, timeout="600")
        for process in (first, second):
            waited = _read_until_waiting(process)
            assert f"pid {os.getpid()}" in waited[-1]  # the message names who holds the lock
    outputs = [process.communicate() for process in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    con = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        batches = con.execute(
            "select records_read, accepted, duplicates, rejected from landing.ingest_batches order by records_read"
        ).fetchall()
        landed = con.execute("select count(*), count(distinct id) from landing.lms_events").fetchone()
    finally:
        con.close()
    assert len(batches) == 2
    for read, accepted, duplicates, rejected in batches:
        assert read == accepted + duplicates + rejected
    # The e2e fixture holds 11 distinct acceptable events: landed once, whatever the order of the writers.
    assert sum(batch[1] for batch in batches) == 11
    assert landed == (11, 11)


def test_a_writer_that_cannot_wait_longer_fails_with_one_clear_line(warehouse_path: Path) -> None:
    _ensure_landing(warehouse_path)
    with writer_lock(warehouse_path):
        process = _cli("ingest", "events", str(FIXTURE), warehouse=warehouse_path, timeout="0")
        _, stderr = process.communicate()
    assert process.returncode == 1
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("lms-warehouse: error: the warehouse is busy:")
    assert "LMS_WRITER_LOCK_TIMEOUT" in last
    # Once the lock is free, the same command goes through without waiting.
    process = _cli("ingest", "events", str(FIXTURE), warehouse=warehouse_path, timeout="0")
    stdout, stderr = process.communicate()
    assert process.returncode == 0, stderr
    assert "accepted 11" in stdout


def test_the_lock_is_reentrant_within_a_process_and_released_after_the_session(warehouse_path: Path) -> None:
    with write_session(warehouse_path) as outer, writer_lock(warehouse_path), write_session(warehouse_path) as inner:
        assert inner.execute("select 1").fetchone() == (1,)
        assert outer.execute("select 1").fetchone() == (1,)
    with writer_lock(warehouse_path, timeout=0):  # free again: no waiting allowed, and none needed
        pass


def test_a_connection_releases_the_lock_when_closed_or_collected(warehouse_path: Path) -> None:
    con = connect(warehouse_path)
    with pytest.raises(WarehouseLockTimeout):
        _lock_from_another_open_file(warehouse_path)
    close_connection(con)
    _lock_from_another_open_file(warehouse_path)  # free
    con = connect(warehouse_path)
    con.close()
    del con
    gc.collect()
    _lock_from_another_open_file(warehouse_path)  # freed when the forgotten connection was collected


def _lock_from_another_open_file(warehouse: Path) -> None:
    """Try the lock the way a second process does: flock on a separate open file, without waiting."""
    import fcntl

    fd = os.open(lock_path_for(warehouse), os.O_RDWR | os.O_CREAT)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WarehouseLockTimeout("held") from None
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
