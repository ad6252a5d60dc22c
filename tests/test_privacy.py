"""Privacy: personal data only in the identity dimensions and the landed raw records, and `lms-warehouse
forget` erases a learner from the whole database file (free pages and the WAL included)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from catalog_factory import catalog, student, write_catalog
from event_factory import ping

from ingestion import lake

pytestmark = pytest.mark.e2e

CLI = str(Path(sys.executable).parent / "lms-warehouse")
AS_OF = "2026-03-05T00:00:00"
# Unique values, so that finding them in the file's bytes can only mean this learner's data.
EMAIL = "zephyrine.quillfeather@forget-me.example"
NAME = "Zephyrine Quillfeather"
PHONE = "+33 6 91 82 73 64"
STREET = "17 rue des Oubliettes"
FORGOTTEN = "stu-9"
# The relations allowed to hold personal data besides the landing schema: the identity dimensions of the
# design notes, and the staging views that only reshape their catalog records for them.
IDENTITY_RELATIONS = {"lms_student", "lms_instructor", "enrollments", "stg_lms__students", "stg_lms__instructors"}
EMAIL_LIKE = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+"


def _cli(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command in its own process (dbt keeps its DuckDB connection open in the process that ran it)."""
    env = {**os.environ, "LMS_WAREHOUSE_PATH": str(path)}
    return subprocess.run([CLI, *args], capture_output=True, text=True, check=False, env=env)


def cli(path: Path, *args: str) -> None:
    done = _cli(path, *args)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def _write_inputs(folder: Path) -> tuple[Path, Path]:
    data = catalog(students=3)
    data["student"].append(student(
        9, name=NAME, first_name="Zephyrine", last_name="Quillfeather",
        emails=[{"email": EMAIL, "type": "WORK"}], telephones=[{"telephone": PHONE, "type": "MOBILE"}],
        address={"address1": STREET, "city": "Paris", "country": "FR"},
    ))
    # A catalog record rejected for its date still holds the learner's data: a landed raw record too.
    data["student"].append({"id": FORGOTTEN, "name": NAME, "emails": [{"email": EMAIL}], "updated_at": "not a date"})
    catalog_dir = write_catalog(folder / "catalog", data)
    actor = {"mbox": f"mailto:{EMAIL}", "name": NAME}
    lines = [
        json.dumps(ping("e-1", student_id=FORGOTTEN, context={"actor": actor})),
        json.dumps(ping("e-2", student_id=FORGOTTEN, occurred_at="2026-03-02T10:00:10Z", payload__position=560)),
        json.dumps(ping("e-3", student_id="stu-1", occurred_at="2026-03-02T11:00:00Z")),
        # Rejected (no duration), holding the e-mail and the name.
        json.dumps(ping("e-4", student_id=FORGOTTEN, payload={"video_id": "v", "position": 3},
                        context={"actor": actor})),
    ]
    events = folder / "events.ndjson"
    events.write_text("\n".join(lines) + "\n")
    return catalog_dir, events


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One warehouse for the tests below, in file order: the read-only check first, then forget."""
    folder = tmp_path_factory.mktemp("privacy")
    catalog_dir, events = _write_inputs(folder / "inputs")
    path = folder / "warehouse" / "lms.duckdb"
    cli(path, "ingest", "catalog", str(catalog_dir))
    cli(path, "ingest", "events", str(events))
    cli(path, "build", "--as-of", AS_OF)
    return path, catalog_dir


def _file_bytes(path: Path) -> bytes:
    wal = path.with_name(path.name + ".wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _text_values(path: Path, needle: str) -> list[str]:
    """Every `schema.table.column` of every table whose text holds the needle (read through SQL, uncompressed)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        columns = con.execute("select table_schema, table_name, column_name from information_schema.columns "
                              "where data_type in ('VARCHAR', 'JSON')").fetchall()
        return [f"{s}.{t}.{c}" for s, t, c in columns
                if con.execute(f'select count(*) from "{s}"."{t}" where contains(lower("{c}"::varchar), ?)',
                               [needle.lower()]).fetchone()[0]]
    finally:
        con.close()


def _lake_values(lake_dir: Path, needle: str) -> list[str]:
    """Every Parquet file of the lake whose rows hold the needle (read through DuckDB: the files are compressed)."""
    con = duckdb.connect()
    try:
        return [p.relative_to(lake_dir).as_posix() for p in sorted(lake_dir.rglob("*.parquet")) if con.execute(
            "select count(*) from read_parquet(?, hive_partitioning = false) as t "
            "where contains(lower(t::varchar), ?)", [str(p), needle.lower()]).fetchone()[0]]
    finally:
        con.close()


def test_personal_data_only_in_identity_dimensions_and_landing(built: tuple[Path, Path]) -> None:
    path, _ = built
    con = duckdb.connect(str(path), read_only=True)
    try:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type in ('VARCHAR', 'JSON') and table_schema <> 'landing'").fetchall()
        assert {t for _, t, _ in columns} >= {"lms_event", "lms_signal", "stg_lms__event_rejects", "lms_student"}
        offending = [f"{s}.{t}.{c}" for s, t, c in columns if t not in IDENTITY_RELATIONS and con.execute(
            f'select count(*) from "{s}"."{t}" where regexp_matches("{c}"::varchar, ?)', [EMAIL_LIKE]).fetchone()[0]]
        # The check can fail: the e-mail is in the landed events' context and in the identity dimension.
        like = [f"%{EMAIL}%"]
        assert con.execute("select count(*) from main.lms_student where emails_json like ?", like).fetchone()[0]
        assert con.execute("select count(*) from landing.lms_events where context_json like ?", like).fetchone()[0]
    finally:
        con.close()
    assert offending == []


def test_forget_erases_the_learner_from_the_whole_file(built: tuple[Path, Path]) -> None:
    path, catalog_dir = built
    values = (EMAIL, NAME, PHONE, STREET)
    before = _file_bytes(path)
    for value in values:
        assert value.encode() in before, f"{value!r} not found in the file before forget: the check would be blind"
    assert {"landing.lms_events.raw_json", "landing.catalog_rejects.raw_text",
            "landing.catalog_students.record_json", "main.lms_student.emails_json"} <= set(_text_values(path, EMAIL))
    # Ingestion already pseudonymises e-mails in rejected event texts; the name stays there until forget.
    assert "landing.lms_event_rejects.raw_text" in _text_values(path, NAME)
    lake_dir = path.parent / "lake"
    files_before = set(lake_dir.rglob("*.parquet"))
    assert {f.split("/")[0] for f in _lake_values(lake_dir, EMAIL)} >= {"lms_events", "catalog_students"}

    done = _cli(path, "forget", FORGOTTEN, "--as-of", AS_OF)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "forget stu-9" in done.stdout

    after = _file_bytes(path).lower()
    assert [value for value in values if value.lower().encode() in after] == []
    # The lake's copies were written again and the old files deleted; its erasure restores with it.
    assert [(value, _lake_values(lake_dir, value)) for value in values if _lake_values(lake_dir, value)] == []
    assert files_before - set(lake_dir.rglob("*.parquet")), "no lake file was replaced"
    assert not list(lake_dir.rglob("*.tmp")) and not any((lake_dir / "_staging").rglob("*.parquet"))
    restored = path.parent / "restored.duckdb"
    with duckdb.connect(str(restored)) as fresh:
        lake.restore_landing(fresh, lake.Lake(str(lake_dir)))
        assert fresh.execute("select student_id from landing.erasures").fetchall() == [(FORGOTTEN,)]
    assert [(value, _text_values(restored, value)) for value in values if _text_values(restored, value)] == []
    assert [(value, _text_values(path, value)) for value in values if _text_values(path, value)] == []
    # Other learners keep their data; the forgotten one keeps their events and an id-only dimension row.
    con = duckdb.connect(str(path), read_only=True)
    try:
        others = "select count(*) from main.lms_student where emails_json like '%learner1@%'"
        assert con.execute(others).fetchone() == (1,)
        assert con.execute("select name, emails_json, raw_json from main.lms_student where id = ?",
                           [FORGOTTEN]).fetchone() == (None, None, '{"erased":true}')
        assert con.execute("select count(*) from main.lms_event where student_id = ?", [FORGOTTEN]).fetchone() == (2,)
        assert con.execute("select count(*) from landing.erasures where student_id = ?", [FORGOTTEN]).fetchone() == (1,)
        assert con.execute("select count(*) from main.v_user_progress where student_id = ?", [FORGOTTEN]).fetchone()[0]
    finally:
        con.close()

    # Re-sending the same catalog (the old record included) resurrects nothing: it is a duplicate.
    cli(path, "ingest", "catalog", str(catalog_dir))
    cli(path, "build", "--as-of", AS_OF)
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute("select name, emails_json from main.lms_student where id = ?", [FORGOTTEN]).fetchone() == (
            None, None)
        assert con.execute("select count(*) from landing.catalog_students where record_json like ?",
                           [f"%{EMAIL}%"]).fetchone() == (0,)
    finally:
        con.close()


def test_forget_an_unknown_learner_fails_with_a_reason(built: tuple[Path, Path]) -> None:
    done = _cli(built[0], "forget", "nobody", "--as-of", AS_OF)
    assert done.returncode == 1
    assert re.search(r"no learner 'nobody' in organization 'default'", done.stderr)
