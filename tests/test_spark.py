"""The same dbt project on Spark (`lms-warehouse build --target spark`, local[2] in the dbt process), reading the
landing lake, gives every published relation equal to DuckDB's: the same columns, the same rows, numbers equal
to 9 significant digits, instants equal in UTC. Run by `make test-spark` (`.ci/run` calls it)."""

from __future__ import annotations

import math
import os
import subprocess
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from mooc_demo_warehouse import land_demo_warehouse
from warehouse_cli import CLI

from ingestion.events import ingest_event_paths
from ingestion.warehouse import write_session

pytestmark = [pytest.mark.spark, pytest.mark.e2e]

NOW = datetime(2026, 3, 1, 12, 0, 0)
AS_OF = "2026-03-01T12:00:00"
XAPI = "data/xapi/fun_mooc_video_statements.ndjson.gz"


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([str(CLI), *args], capture_output=True, text=True, check=False, env=env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def both_engines(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> tuple[Path, Path]:
    """One lake (a demo-shaped platform with MOOC exports, and real xAPI and Open edX records) built on DuckDB
    and on Spark."""
    folder = tmp_path_factory.mktemp("spark")
    warehouse = folder / "warehouse" / "lms.duckdb"
    spark_dir = folder / "spark"
    env = {**os.environ, "LMS_WAREHOUSE_PATH": str(warehouse), "LMS_SPARK_WAREHOUSE": str(spark_dir)}
    previous = os.environ.get("LMS_WAREHOUSE_PATH")
    os.environ["LMS_WAREHOUSE_PATH"] = str(warehouse)
    try:
        land_demo_warehouse(folder / "inputs", now=NOW, days=21, students=24, seed=7)
        with write_session(warehouse) as con:
            ingest_event_paths(con, [shared_dir / XAPI, shared_dir / "data/openedx/events"], organization_id="oex")
    finally:
        if previous is None:
            os.environ.pop("LMS_WAREHOUSE_PATH", None)
        else:
            os.environ["LMS_WAREHOUSE_PATH"] = previous
    _cli(env, "build", "--as-of", AS_OF)
    _cli(env, "build", "--target", "spark", "--as-of", AS_OF)
    return warehouse, spark_dir


def _published(warehouse: Path) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [name for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main' order by 1").fetchall()]


def _rows(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple]:
    """The relation's rows as comparable values, sorted: instants as UTC text, lists and structs as text,
    integers as int, other numbers as float; sorted by a key where numbers count to 6 significant digits."""
    columns = con.execute(f"describe {relation}").fetchall()
    parts = []
    for name, data_type, *_ in columns:
        quoted = f'"{name}"'
        if data_type.startswith("TIMESTAMP"):
            parts.append(f"strftime(cast({quoted} as timestamp), '%Y-%m-%d %H:%M:%S.%f')")
        elif data_type in ("DOUBLE", "FLOAT") or data_type.startswith("DECIMAL"):
            parts.append(f"cast({quoted} as double)")
        elif data_type in ("BIGINT", "INTEGER", "HUGEINT", "SMALLINT", "TINYINT"):
            parts.append(f"cast({quoted} as bigint)")
        else:
            parts.append(f"cast({quoted} as varchar)")
    rows = con.execute(f"select {', '.join(parts)} from {relation}").fetchall()
    return sorted(rows, key=lambda row: tuple((v is None, f"{v:.6g}" if isinstance(v, float) else str(v)) for v in row))


def _same(left: tuple, right: tuple) -> bool:
    """Equal values; numbers to 9 significant digits."""
    return all(
        math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) if isinstance(a, float) and isinstance(b, float) else a == b
        for a, b in zip(left, right, strict=True))


def _compare(warehouse: Path, spark_dir: Path) -> tuple[list[str], list[str], int]:
    """(relations with no Parquet file, relations that differ with how, relations compared that hold rows)."""
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.execute(f"attach '{warehouse}' as duck (read_only)")
    differing, missing = [], []
    nonempty = 0
    for relation in _published(warehouse):
        folder = spark_dir / relation
        if not any(folder.glob("*.parquet")):
            missing.append(relation)
            continue
        con.execute(f"create or replace view spark_{relation} as select * from read_parquet('{folder}/*.parquet')")
        duck_columns = [c[0] for c in con.execute(f"describe duck.main.{relation}").fetchall()]
        spark_columns = [c[0] for c in con.execute(f"describe spark_{relation}").fetchall()]
        if duck_columns != spark_columns:
            differing.append(f"{relation}: columns {duck_columns} on DuckDB, {spark_columns} on Spark")
            continue
        left, right = _rows(con, f"duck.main.{relation}"), _rows(con, f"spark_{relation}")
        nonempty += bool(left)
        unequal = [(a, b) for a, b in zip(left, right, strict=False) if not _same(a, b)]
        if len(left) != len(right) or unequal:
            differing.append(f"{relation}: {len(left)} rows on DuckDB, {len(right)} on Spark, {len(unequal)} differ; "
                             f"e.g. {unequal[:1]}")
    return missing, differing, nonempty


def test_every_published_relation_is_a_parquet_folder_equal_to_duckdbs(both_engines: tuple[Path, Path]) -> None:
    warehouse, spark_dir = both_engines
    relations = _published(warehouse)
    assert len(relations) > 40 and "raw_data" in relations and "lms_event" in relations
    missing, differing, nonempty = _compare(warehouse, spark_dir)
    assert missing == []
    assert differing == []
    assert nonempty > 30  # the comparison is not over empty relations


def test_a_two_worker_standalone_cluster_builds_the_same_lake_equal_to_duckdb(
        both_engines: tuple[Path, Path], tmp_path: Path) -> None:
    from devtools.spark_cluster import standalone_cluster

    warehouse, _ = both_engines
    on_cluster = tmp_path / "spark"
    with standalone_cluster(tmp_path / "cluster") as cluster:
        env = {**os.environ, "LMS_WAREHOUSE_PATH": str(warehouse), "LMS_SPARK_WAREHOUSE": str(on_cluster),
               "LMS_SPARK_MASTER": cluster.master_url}
        _cli(env, "build", "--target", "spark", "--as-of", AS_OF)
        status = cluster.status()
        pids = cluster.pids
    # the build ran as an application of this cluster, on both workers
    assert status["aliveworkers"] == 2 and status["cores"] == 2
    assert status["completedapps"] and all(w["coresfree"] == w["cores"] for w in status["workers"])
    executors = list((tmp_path / "cluster").glob("worker-*/app-*/*"))
    assert {e.parent.parent.name for e in executors} == {"worker-0", "worker-1"}
    assert all(not Path(f"/proc/{pid}").exists() for pid in pids)  # every process it started is stopped
    missing, differing, nonempty = _compare(warehouse, on_cluster)
    assert missing == [] and differing == [] and nonempty > 30


def test_dagster_builds_the_same_relations_on_spark_through_the_engine_resource(
        both_engines: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dagster import AssetKey, AssetSelection, DagsterInstance, Definitions, define_asset_job

    from orchestration.assets.dbt import lms_dbt_asset_sets
    from orchestration.partitions import current_partition_key
    from orchestration.resources import LmsEngine, build_resources
    from orchestration.run_config import build_run_config

    warehouse, _ = both_engines
    fresh = tmp_path / "spark"  # a Spark warehouse of its own: only Dagster's run writes it
    monkeypatch.setenv("LMS_WAREHOUSE_PATH", str(warehouse))
    monkeypatch.setenv("LMS_SPARK_WAREHOUSE", str(fresh))
    chosen = [AssetKey(["main", "lms_student"]), AssetKey(["main", "lms_event"])]
    defs = Definitions(assets=lms_dbt_asset_sets,
                       jobs=[define_asset_job("on_spark", selection=AssetSelection.assets(*chosen).upstream())],
                       resources={**build_resources(), "engine": LmsEngine(target="spark")})
    job = defs.resolve_job_def("on_spark")
    with DagsterInstance.ephemeral() as instance:
        # a partition, as the schedules run it (lms_event is in the partitioned set; Spark rebuilds it whole)
        result = job.execute_in_process(run_config=build_run_config(job, as_of=AS_OF.replace("T", " ")),
                                        instance=instance, partition_key=current_partition_key())
    assert result.success
    built = {event.asset_key for event in result.get_asset_materialization_events()}
    assert set(chosen) <= built
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.execute(f"attach '{warehouse}' as duck (read_only)")
    for key in chosen:
        relation = key.path[-1]
        con.execute(f"create view spark_{relation} as select * from read_parquet('{fresh / relation}/*.parquet')")
        left, right = _rows(con, f"duck.main.{relation}"), _rows(con, f"spark_{relation}")
        assert left and len(left) == len(right) and all(_same(a, b) for a, b in zip(left, right, strict=True))
