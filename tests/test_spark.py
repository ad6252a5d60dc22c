"""The same dbt project on Spark (`lms-warehouse build --target spark`, local[2] in the dbt process), reading the
landing lake, gives every published relation equal to DuckDB's: the same columns, the same rows, numbers equal
to 9 significant digits, instants equal in UTC. Run by `make test-spark` (`.ci/run` calls it)."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from mooc_demo_warehouse import land_demo_warehouse
from warehouse_cli import CLI

from devtools.engine_compare import compare
from devtools.spark_cluster import standalone_cluster
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


def test_every_published_relation_is_a_parquet_folder_equal_to_duckdbs(both_engines: tuple[Path, Path]) -> None:
    warehouse, spark_dir = both_engines
    found = compare(warehouse, spark_dir)
    assert len(found.relations) > 40 and "raw_data" in found.relations and "lms_event" in found.relations
    assert found.missing == []
    assert found.differing == []
    assert found.nonempty > 30  # the comparison is not over empty relations


def test_a_two_worker_standalone_cluster_builds_the_same_lake_equal_to_duckdb(
        both_engines: tuple[Path, Path], tmp_path: Path) -> None:
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
    found = compare(warehouse, on_cluster)
    assert found.missing == [] and found.differing == [] and found.nonempty > 30


def test_dagster_builds_the_same_relations_on_spark_through_the_engine_resource(
        both_engines: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dagster import AssetKey, AssetSelection, DagsterInstance, Definitions, define_asset_job

    from orchestration.assets.dbt import lms_dbt_assets
    from orchestration.resources import LmsEngine, build_resources
    from orchestration.run_config import build_run_config

    warehouse, _ = both_engines
    fresh = tmp_path / "spark"  # a Spark warehouse of its own: only Dagster's run writes it
    monkeypatch.setenv("LMS_WAREHOUSE_PATH", str(warehouse))
    monkeypatch.setenv("LMS_SPARK_WAREHOUSE", str(fresh))
    chosen = [AssetKey(["main", "lms_student"]), AssetKey(["main", "lms_event"])]
    defs = Definitions(assets=[lms_dbt_assets],
                       jobs=[define_asset_job("on_spark", selection=AssetSelection.assets(*chosen).upstream())],
                       resources={**build_resources(), "engine": LmsEngine(target="spark")})
    job = defs.resolve_job_def("on_spark")
    with DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(run_config=build_run_config(job, as_of=AS_OF.replace("T", " ")),
                                        instance=instance)
    assert result.success
    built = {event.asset_key for event in result.get_asset_materialization_events()}
    assert set(chosen) <= built
    found = compare(warehouse, fresh, [key.path[-1] for key in chosen])
    assert found.missing == [] and found.differing == [] and found.nonempty == len(chosen)
