"""The `lms-warehouse` command line, run as a user runs it: the console script in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "e2e"
CLI = Path(sys.executable).with_name("lms-warehouse")


def run_cli(*args: str, warehouse: Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LMS_WAREHOUSE_PATH": str(warehouse)}
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, env=env, cwd=cwd, check=False)


@pytest.mark.e2e
def test_ingest_build_and_rerun(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh" / "lms.duckdb"
    catalog = run_cli("ingest", "catalog", str(FIXTURE / "catalog"), warehouse=warehouse)
    assert catalog.returncode == 0, catalog.stderr
    first = run_cli("ingest", "events", str(FIXTURE / "events"), warehouse=warehouse)
    assert first.returncode == 0, first.stderr
    assert "read 14" in first.stdout and "rejected 2" in first.stdout
    again = run_cli("ingest", "events", str(FIXTURE / "events" / "day1.ndjson"), warehouse=warehouse)
    assert again.returncode == 0 and "duplicates 6" in again.stdout

    # run from another working directory: the warehouse path and the dbt project must not depend on it
    build = run_cli("build", "--as-of", "2024-03-04T18:00:00Z", warehouse=warehouse, cwd=tmp_path)
    assert build.returncode == 0, build.stdout + build.stderr
    assert "build:" in build.stdout and "models:" in build.stdout and "error" not in build.stdout.split("build:")[1]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select count(*) from main.v_user_progress").fetchone() == (5,)
        assert con.execute("select count(*) from main.lms_signal").fetchone() == (11,)
    finally:
        con.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ingest", "events", "/no/such/file.ndjson"), "/no/such/file.ndjson"),
        (("build", "--as-of", "last tuesday"), "--as-of"),
        (("ingest", "catalog"), "catalog folder"),
    ],
)
def test_failures_exit_non_zero_with_one_line(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = run_cli(*args, warehouse=tmp_path / "lms.duckdb")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.startswith("lms-warehouse: error:")]
    assert len(lines) == 1 and message in lines[0]


@pytest.mark.parametrize("organization", ["", "   ", " acme"])
def test_a_blank_or_padded_organization_is_refused(tmp_path: Path, organization: str) -> None:
    warehouse = tmp_path / "lms.duckdb"
    result = run_cli("ingest", "events", str(FIXTURE / "events"), "--organization", organization, warehouse=warehouse)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "--organization" in result.stderr
    assert not warehouse.exists()  # refused before anything was opened or landed


def test_an_empty_warehouse_path_is_refused_and_creates_nothing(tmp_path: Path) -> None:
    env = {**os.environ, "LMS_WAREHOUSE_PATH": ""}
    result = subprocess.run([str(CLI), "ingest", "events", str(FIXTURE / "events")], capture_output=True,
                            text=True, env=env, cwd=tmp_path, check=False)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "LMS_WAREHOUSE_PATH is set but empty" in result.stderr
    assert list(tmp_path.iterdir()) == []  # no ./warehouse/lms.duckdb in the working directory


def _events_file(path: Path, good: int, bad: int) -> Path:
    lines = [f'{{"id": "e{n}", "type": "X", "student_id": "s", "occurred_at": "2024-03-01T10:00:00Z"}}'
             for n in range(good)]
    path.write_text("\n".join(lines + ["not json"] * bad) + "\n")
    return path


def test_a_run_whose_every_record_was_rejected_exits_non_zero_and_keeps_the_rejects(tmp_path: Path) -> None:
    warehouse = tmp_path / "lms.duckdb"
    result = run_cli("ingest", "events", str(_events_file(tmp_path / "bad.ndjson", 0, 3)), warehouse=warehouse)
    assert result.returncode == 1
    assert "read 3 = accepted 0 + duplicates 0 + rejected 3" in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("lms-warehouse: error:")]
    assert len(errors) == 1 and "every record read (3) was rejected" in errors[0]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select count(*) from landing.lms_event_rejects").fetchone() == (3,)
    finally:
        con.close()


def test_max_reject_share_fails_above_the_share_only(tmp_path: Path) -> None:
    warehouse = tmp_path / "lms.duckdb"
    path = _events_file(tmp_path / "mixed.ndjson", 3, 1)  # a quarter rejected
    above = run_cli("ingest", "events", str(path), "--max-reject-share", "0.2", warehouse=warehouse)
    assert above.returncode == 1 and "25.0% of the records read were rejected" in above.stderr
    again = run_cli("ingest", "events", str(path), "--max-reject-share", "0.25", warehouse=warehouse)
    assert again.returncode == 0, again.stderr


def test_an_empty_file_gets_a_note_and_the_summary_is_printed_once(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.json").write_text("")
    _events_file(tmp_path / "in" / "good.ndjson", 2, 0)
    result = run_cli("ingest", "events", str(tmp_path / "in"), warehouse=tmp_path / "lms.duckdb")
    assert result.returncode == 0, result.stderr
    assert "empty.json is empty" in result.stderr
    assert (result.stdout + result.stderr).count("accepted 2") == 1


def _one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("lms-warehouse: error:")]
    assert len(errors) == 1 and "Traceback" not in result.stderr, result.stderr
    return errors[0]


def test_a_warehouse_folder_that_cannot_hold_files_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    warehouse = tmp_path / "a-file" / "lms.duckdb"
    line = _one_error_line(run_cli("ingest", "events", str(FIXTURE / "events"), warehouse=warehouse))
    assert f"cannot write the warehouse {warehouse}" in line and "LMS_WAREHOUSE_PATH" in line


@pytest.mark.parametrize("damage", ["not duckdb", "truncated"])
def test_a_file_that_is_not_a_readable_warehouse_is_one_line(tmp_path: Path, damage: str) -> None:
    warehouse = tmp_path / "lms.duckdb"
    if damage == "not duckdb":
        warehouse.write_text("these are my notes, not a database")
    else:
        assert run_cli("ingest", "events", str(FIXTURE / "events"), warehouse=warehouse).returncode == 0
        data = warehouse.read_bytes()
        warehouse.write_bytes(data[: len(data) // 3])
    before = warehouse.read_bytes()
    for command in (("ingest", "events", str(FIXTURE / "events")), ("build",)):
        line = _one_error_line(run_cli(*command, warehouse=warehouse))
        assert f"{warehouse} is not a readable DuckDB warehouse" in line
    assert warehouse.read_bytes() == before  # never overwritten


def test_a_warehouse_open_in_another_process_is_one_line(tmp_path: Path) -> None:
    warehouse = tmp_path / "lms.duckdb"
    duckdb.connect(str(warehouse)).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(warehouse)!r}); print('open', "
         "flush=True); time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        line = _one_error_line(run_cli("ingest", "events", str(FIXTURE / "events"), warehouse=warehouse))
    finally:
        holder.kill()
        holder.wait()
    assert f"{warehouse} is open in another process" in line and f"PID {holder.pid}" in line


def test_build_from_another_directory_never_starts_an_empty_warehouse(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "LMS_WAREHOUSE_PATH"}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run([str(CLI), "build", "--as-of", "2024-03-04T18:00:00Z"], capture_output=True, text=True,
                            env={**env, "LMS_WAREHOUSE_PATH": str(elsewhere / "missing.duckdb")}, cwd=elsewhere,
                            check=False)
    assert "no warehouse at" in _one_error_line(result)
    assert list(elsewhere.iterdir()) == []
    # unset, the path is the project's warehouse, not one in the working directory
    code = "from ingestion.warehouse import PROJECT_DIR, warehouse_path; print(warehouse_path(), PROJECT_DIR)"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=elsewhere,
                           check=True).stdout.split()
    assert shown[0] == str(Path(shown[1]) / "warehouse" / "lms.duckdb")


def test_a_file_that_fails_as_a_whole_lands_the_others_and_exits_non_zero(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _events_file(folder / "a.ndjson", 2, 0)
    (folder / "b.parquet").write_bytes(b"PAR1 not parquet at all")
    _events_file(folder / "c.jsonl", 3, 0)
    result = run_cli("ingest", "events", str(folder), warehouse=tmp_path / "lms.duckdb")
    assert "read 6 = accepted 3 + duplicates 2 + rejected 1" in result.stdout  # c repeats a's ids e0, e1
    line = _one_error_line(result)
    assert "1 file(s) could not be read at all (b.parquet)" in line
