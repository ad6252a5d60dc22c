"""The landing lake (ingestion/lake.py): every landed batch as Parquet beside the warehouse, a kill during a write
leaves no partial batch, `lake check` reconciles per batch, and `restore` gives back the same landing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import fsspec
import pyarrow.parquet as pq
import pytest
from catalog_factory import catalog, write_catalog
from event_factory import ping, write_lines
from warehouse_cli import CLI

from ingestion import lake
from ingestion.events import ingest_event_paths
from ingestion.warehouse import write_session
from lms_warehouse.fingerprint import file_fingerprints

XAPI = "data/xapi/fun_mooc_video_statements.ndjson.gz"
ORGANIZATION = "acme/north=1"  # a slash and an equals sign: the Hive folder name must encode them


def _env(warehouse: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "LMS_WAREHOUSE_PATH": str(warehouse), **extra}


def _cli(warehouse: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, check=False, env=_env(warehouse, **extra))


def _ingest(warehouse: Path, *paths: Path, organization: str = "default") -> None:
    with write_session(warehouse) as con:
        ingest_event_paths(con, list(paths), organization_id=organization)


@pytest.fixture
def two_batches(warehouse_path: Path, tmp_path: Path, shared_dir: Path) -> Path:
    """Real xAPI statements of a MOOC (one batch) and a day of pings with a rejected record (another tenant)."""
    _ingest(warehouse_path, shared_dir / XAPI)
    events = write_lines(tmp_path / "day.ndjson", [
        ping("p-1", student_id="stu-1", occurred_at="2026-03-01T23:59:59Z"),
        ping("p-2", student_id="stu-2", occurred_at="2026-03-02T00:00:00+00:00"),
        {"id": "p-3", "type": "video_ping"},  # rejected: no student, no time
    ])
    _ingest(warehouse_path, events, organization=ORGANIZATION)
    return warehouse_path


def test_every_landed_batch_is_in_the_lake_as_utc_parquet_partitioned_by_tenant_and_day(two_batches: Path) -> None:
    root = two_batches.parent / "lake"
    target = lake.Lake(str(root))
    manifests = target.manifests()
    with duckdb.connect(str(two_batches), read_only=True) as con:
        batches = con.execute("select batch_id, accepted, rejected from landing.ingest_batches").fetchall()
        checked, problems = lake.check(con, target)
    assert {b for b, _, _ in batches} == set(manifests)
    assert problems == [] and checked == len(batches)
    for batch_id, accepted, rejected in batches:
        assert manifests[batch_id].rows("lms_events") == accepted
        assert manifests[batch_id].rows("lms_event_rejects") == rejected
    days = sorted(p.parent.name for p in (root / "lms_events").rglob("*.parquet") if "acme" in str(p))
    assert days == ["event_date=2026-03-01", "event_date=2026-03-02"]
    assert (root / "lms_events" / "organization_id=acme%2Fnorth%3D1").is_dir()
    one = next((root / "lms_events").rglob("*.parquet"))
    schema = pq.read_schema(one)
    assert str(schema.field("occurred_at").type) == "timestamp[us, tz=UTC]"
    assert {"organization_id", "event_date", "raw_json"} <= set(schema.names)  # each file reads alone
    assert not (root / lake.STAGING).exists() or not any((root / lake.STAGING).iterdir())


_KILLER = """
import os, signal, sys
from pathlib import Path
from ingestion import lake
from ingestion.events import ingest_event_paths
from ingestion.warehouse import write_session

moment = sys.argv[2]
original = lake.Lake._commit if moment == "before_commit" else lake.Lake._finish
def killed(self, manifest):
    if moment == "after_commit":
        self._commit(manifest)
    os.kill(os.getpid(), signal.SIGKILL)
setattr(lake.Lake, "_commit" if moment == "before_commit" else "_finish", killed)
with write_session(Path(sys.argv[1])) as con:
    ingest_event_paths(con, [Path(sys.argv[3])])
"""


@pytest.mark.parametrize("moment", ["before_commit", "after_commit"])
def test_a_kill_during_a_lake_write_leaves_no_partial_batch_and_the_next_writer_completes_it(
    warehouse_path: Path, tmp_path: Path, moment: str
) -> None:
    events = write_lines(tmp_path / "a.ndjson", [ping(f"p-{i}", student_id=f"stu-{i % 3}") for i in range(50)])
    killed = subprocess.run([sys.executable, "-c", _KILLER, str(warehouse_path), moment, str(events)],
                            capture_output=True, text=True, check=False)
    assert killed.returncode == -9, killed.stderr
    root = warehouse_path.parent / "lake"
    target = lake.Lake(str(root))
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        (batch_id,) = con.execute("select batch_id from landing.ingest_batches").fetchone()  # landed before the kill
    visible = sorted((root / "lms_events").rglob("*.parquet")) if (root / "lms_events").exists() else []
    if moment == "before_commit":
        assert batch_id not in target.manifests() and visible == []
        assert any((root / lake.STAGING).iterdir())  # the kill left staged files, and nothing else
    else:
        assert batch_id in target.manifests()
    done = _cli(warehouse_path, "lake", "sync")  # what any next writer does first
    assert done.returncode == 0, done.stderr
    checked = _cli(warehouse_path, "lake", "check")
    assert checked.returncode == 0 and "all 1 batches reconcile" in checked.stdout, checked.stdout + checked.stderr
    assert not any((root / lake.STAGING).iterdir())
    assert sum(pq.read_metadata(p).num_rows for p in (root / "lms_events").rglob("*.parquet")) == 50


def test_lake_check_names_a_damaged_file_and_a_batch_the_lake_lacks(two_batches: Path) -> None:
    root = two_batches.parent / "lake"
    damaged = next((root / "lms_events").rglob("*.parquet"))
    damaged.write_bytes(damaged.read_bytes()[:-10] + b"0123456789")
    (root / lake.MANIFESTS / f"{_any_catalogless_batch(root)}.json").unlink()
    done = _cli(two_batches, "lake", "check")
    assert done.returncode == 1
    assert f"file {damaged.relative_to(root).as_posix()} does not match its checksum" in done.stdout
    assert "in the warehouse, not in the lake: run `lms-warehouse lake sync`" in done.stdout
    assert _cli(two_batches, "lake", "sync", "--rewrite").returncode == 0
    assert _cli(two_batches, "lake", "check").returncode == 0


def _any_catalogless_batch(root: Path) -> str:
    for path in sorted((root / lake.MANIFESTS).glob("*.json")):
        manifest = lake.Manifest.from_json(path.read_text())
        if "acme" in json.dumps([f.path for files in manifest.tables.values() for f in files]):
            return manifest.batch_id
    raise AssertionError("no batch of the second tenant in the lake")


def test_restore_gives_back_the_same_landing_and_refuses_to_overwrite_a_warehouse(two_batches: Path) -> None:
    before = file_fingerprints(two_batches, "landing")
    refused = _cli(two_batches, "restore")
    assert refused.returncode == 1 and len(refused.stderr.strip().splitlines()) == 1
    assert "exists" in refused.stderr and "--force" in refused.stderr
    two_batches.unlink()
    done = _cli(two_batches, "restore")
    assert done.returncode == 0, done.stderr
    assert file_fingerprints(two_batches, "landing") == before
    assert _cli(two_batches, "lake", "check").returncode == 0
    assert _cli(two_batches, "restore", "--force").returncode == 0
    assert file_fingerprints(two_batches, "landing") == before


def test_a_lake_on_another_filesystem_is_a_change_of_lms_lake_path(two_batches: Path, tmp_path: Path) -> None:
    """fsspec's in-memory filesystem stands for s3:// and the like: DuckDB writes and reads through it."""
    memory = lake.Lake("memory://lake-under-test")
    try:
        with duckdb.connect(str(two_batches)) as con:
            con.execute("set TimeZone = 'America/New_York'")  # the lake's instants do not depend on the session
            written = lake.sync(con, memory)
        assert len(written) == 2 and memory.fs.find("/lake-under-test/lms_events")
        fresh = tmp_path / "restored.duckdb"
        with duckdb.connect(str(fresh)) as con:
            restored = lake.restore_landing(con, memory)
        assert restored["lms_events"] == sum(m.rows("lms_events") for m in written)
        assert file_fingerprints(fresh, "landing") == file_fingerprints(two_batches, "landing")
    finally:
        fsspec.filesystem("memory").rm("/lake-under-test", recursive=True)


def test_a_blank_lake_setting_is_refused_in_one_line(warehouse_path: Path, tmp_path: Path) -> None:
    events = write_lines(tmp_path / "a.ndjson", [ping("p-1")])
    done = _cli(warehouse_path, "ingest", "events", str(events), LMS_LAKE_PATH=" ")
    assert done.returncode == 1 and "LMS_LAKE_PATH is set but empty" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.slow
@pytest.mark.e2e
def test_a_lost_warehouse_restored_from_the_lake_builds_every_published_relation_equal(
    warehouse_path: Path, tmp_path: Path, shared_dir: Path
) -> None:
    catalog_dir = write_catalog(tmp_path / "catalog", catalog(students=4))
    for args in (("ingest", "catalog", str(catalog_dir)), ("ingest", "events", str(shared_dir / XAPI)),
                 ("ingest", "events", str(shared_dir / "data/openedx/events")),
                 ("build", "--as-of", "2026-03-05T00:00:00")):
        done = _cli(warehouse_path, *args)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lost = file_fingerprints(warehouse_path)
    assert lost["lms_event"].rows > 20_000 and lost["lms_student"].rows == 4 and "raw_data" in lost
    assert sum(f.rows > 0 for f in lost.values()) > 20  # the comparison is not over empty relations
    warehouse_path.unlink()
    warehouse_path.with_name(warehouse_path.name + ".wal").unlink(missing_ok=True)
    for args in (("restore",), ("build",)):
        done = _cli(warehouse_path, *args)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "as of 2026-03-05 00:00:00 UTC, the lost warehouse's last build" in done.stdout
    assert file_fingerprints(warehouse_path) == lost
