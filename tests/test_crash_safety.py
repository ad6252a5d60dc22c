"""Crash safety: SIGKILL `lms-warehouse ingest events` and `lms-warehouse build` mid-work, run them again,
and the warehouse equals that of an uninterrupted run (every relation, compared by content without load
times and batch ids). Real subprocesses, a real DuckDB file, real dbt builds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from devtools.bench.run import generate
from lms_warehouse.fingerprint import content_fingerprints, differences

pytestmark = pytest.mark.e2e

CLI = str(Path(sys.executable).parent / "lms-warehouse")
AS_OF = "2026-10-29T00:00:00"
EVENTS = 240_000  # enough that landing one file takes a good fraction of a second on the test machine
BAD_LINES = ['{"id": "bad-1", "type": "VIDEO_PING"', '{"id": "bad-2", "type": "VIDEO_PING", "student_id": "s"}']


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """Two event files (the second with a few rejects) and a catalog, from the benchmark generator."""
    folder = tmp_path_factory.mktemp("crash-inputs")
    data = generate(folder, EVENTS)
    events, catalog = data.main_file, data.catalog_dir
    lines = events.read_text().splitlines() + data.new_day_file.read_text().splitlines()
    data.new_day_file.unlink()
    first, second = folder / "day1.ndjson", folder / "day2.ndjson"
    first.write_text("\n".join(lines[: len(lines) // 3]) + "\n")
    second.write_text("\n".join([*lines[len(lines) // 3 :], *BAD_LINES]) + "\n")
    events.unlink()
    return first, second, catalog


def _env(warehouse: Path, tmp: Path) -> dict[str, str]:
    # dbt's own artefacts go to a private folder: a killed dbt must not leave half-written files in target/.
    # Verbose: the kills are timed on the per-file and per-model lines that a quiet run does not print.
    return {**os.environ, "LMS_WAREHOUSE_PATH": str(warehouse), "DBT_TARGET_PATH": str(tmp / "dbt-target"),
            "DBT_LOG_PATH": str(tmp / "dbt-logs"), "LMS_VERBOSE": "1"}


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([CLI, *args], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


def _kill_when(env: dict[str, str], args: list[str], ready: Callable[[list[str]], bool]) -> list[str]:
    """Start the command, SIGKILL it as soon as `ready(lines so far)` holds; return its output lines."""
    process = subprocess.Popen([CLI, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    fired = threading.Event()

    def watch() -> None:
        for line in process.stdout:  # type: ignore[union-attr]
            lines.append(line.rstrip("\n"))
            if not fired.is_set() and ready(lines):
                fired.set()
                process.send_signal(signal.SIGKILL)

    reader = threading.Thread(target=watch, daemon=True)
    reader.start()
    while process.poll() is None and not fired.is_set():
        if ready(lines):
            fired.set()
            process.send_signal(signal.SIGKILL)
        fired.wait(0.002)
    process.wait()
    reader.join()
    assert process.returncode == -signal.SIGKILL, f"the command finished before the kill: {lines[-5:]}"
    return lines


def _landed_events(warehouse: Path) -> tuple[int, int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select (select count(*) from landing.lms_events), "
                           "(select count(*) from landing.ingest_batches where kind = 'events')").fetchone()
    finally:
        con.close()


def _fingerprints(warehouse: Path):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return content_fingerprints(con)
    finally:
        con.close()


@pytest.mark.slow
def test_killed_ingest_and_build_then_rerun_equal_an_uninterrupted_run(
    inputs: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    day1, day2, catalog = inputs

    reference = tmp_path / "reference" / "lms.duckdb"
    env = _env(reference, tmp_path / "reference")
    _run(env, "ingest", "catalog", str(catalog))
    _run(env, "ingest", "events", str(day1))
    _run(env, "ingest", "events", str(day2))
    _run(env, "build", "--as-of", AS_OF)

    warehouse = tmp_path / "crashed" / "lms.duckdb"
    env = _env(warehouse, tmp_path / "crashed")
    _run(env, "ingest", "catalog", str(catalog))
    _run(env, "ingest", "events", str(day1))
    _run(env, "build", "--as-of", AS_OF)
    before = _landed_events(warehouse)

    # Kill the second ingest while its landing transaction is writing: the file has been read, the
    # warehouse file grows by its uncommitted blocks, and the batch's summary line has not come yet.
    size_when_read: list[int] = []

    def landing_in_progress(lines: list[str]) -> bool:
        if not any(line.strip().startswith("read day2.ndjson") for line in lines):
            return False
        size = warehouse.stat().st_size
        size_when_read.append(size)
        return size > size_when_read[0] + 2_000_000 and not any("events: read" in line for line in lines)

    killed = _kill_when(env, ["ingest", "events", str(day2)], landing_in_progress)
    assert not any("events: read" in line for line in killed)
    assert _landed_events(warehouse) == before, "a killed batch must leave nothing behind"
    _run(env, "ingest", "events", str(day2))

    # Kill the build in the middle of a model: after a few models were rebuilt, while the next one runs.
    def model_running(lines: list[str]) -> bool:
        return sum("START sql " in line and " model " in line for line in lines) >= 6

    killed = _kill_when(env, ["build", "--as-of", AS_OF], model_running)
    assert not any("Completed successfully" in line for line in killed)
    _run(env, "build", "--as-of", AS_OF)

    expected, actual = _fingerprints(reference), _fingerprints(warehouse)
    assert expected["landing.lms_events"].rows == EVENTS
    assert expected["landing.lms_event_rejects"].rows == len(BAD_LINES)
    assert differences(expected, actual) == []


def test_record_numbers_are_the_file_lines_on_a_large_file(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    """Found by the crash test: a parallel read numbered records by a row order that was not the file's."""
    from ingestion.events import ingest_event_paths

    lines = [
        json.dumps({"id": f"e-{n}", "type": "PAGE_VIEW", "student_id": f"s-{n % 97}", "occurred_at": "2026-01-01"})
        for n in range(1, 150_001)
    ]
    lines[99] = ""  # a blank line is not a record but keeps its number
    path = tmp_path / "big.ndjson"
    path.write_text("\n".join(lines) + "\n")
    result = ingest_event_paths(con, [path])
    assert result.accepted == 149_999
    misplaced = con.execute(
        "select count(*) from landing.lms_events where record_number <> split_part(id, '-', 2)::bigint"
    ).fetchone()[0]
    assert misplaced == 0
