"""The same dbt project on Spark (`lms-warehouse build --target spark`), reading the landing lake, gives every
published relation equal to DuckDB's: the same columns, the same rows, numbers equal to 9 significant digits,
instants equal in UTC. The full build runs on a two-worker standalone cluster, the incremental builds after it on
local[2] in the dbt process (one full Spark build serves both: it is the costliest step of `.ci/run`). Run by
`make test-spark` (`.ci/run` calls it)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import duckdb
import pytest
from mooc_demo_warehouse import land_demo_warehouse
from warehouse_cli import CLI

from devtools.engine_compare import compare
from devtools.spark_cluster import standalone_cluster
from ingestion.catalog import ingest_catalog_dir
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


class Engines(NamedTuple):
    warehouse: Path
    spark_dir: Path
    cluster_status: dict  # the master's JSON view after the build
    workers_with_executors: set[str]
    cluster_pids: list[int]


@pytest.fixture(scope="module")
def both_engines(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Engines:
    """One lake (a demo-shaped platform with MOOC exports, and real xAPI and Open edX records) built on DuckDB
    and on Spark, on a two-worker standalone cluster started for the build and stopped after it."""
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
    with standalone_cluster(folder / "cluster") as cluster:
        _cli({**env, "LMS_SPARK_MASTER": cluster.master_url}, "build", "--target", "spark", "--as-of", AS_OF)
        status, pids = cluster.status(), cluster.pids
    executors = {e.parent.parent.name for e in (folder / "cluster").glob("worker-*/app-*/*")}
    return Engines(warehouse, spark_dir, status, executors, pids)


def test_every_published_relation_is_a_parquet_folder_equal_to_duckdbs(both_engines: Engines) -> None:
    warehouse, spark_dir, *_ = both_engines
    found = compare(warehouse, spark_dir)
    assert len(found.relations) > 40 and "raw_data" in found.relations and "lms_event" in found.relations
    assert found.missing == []
    assert found.differing == []
    assert found.nonempty > 30  # the comparison is not over empty relations


def test_a_two_worker_standalone_cluster_builds_the_same_lake_equal_to_duckdb(both_engines: Engines) -> None:
    """The full Spark build compared above ran as an application of a two-worker cluster, on both workers."""
    status = both_engines.cluster_status
    assert status["aliveworkers"] == 2 and status["cores"] == 2
    assert status["completedapps"] and all(w["coresfree"] == w["cores"] for w in status["workers"])
    assert both_engines.workers_with_executors == {"worker-0", "worker-1"}
    assert all(not Path(f"/proc/{pid}").exists() for pid in both_engines.cluster_pids)  # every process stopped


def test_dagster_builds_the_same_relations_on_spark_through_the_engine_resource(
        both_engines: Engines, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dagster import AssetKey, AssetSelection, DagsterInstance, Definitions, define_asset_job

    from orchestration.assets.dbt import lms_dbt_assets
    from orchestration.resources import LmsEngine, build_resources
    from orchestration.run_config import build_run_config

    warehouse = both_engines.warehouse
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


def test_every_incremental_model_on_spark_overwrites_its_partitions_never_the_whole_table(tmp_path: Path) -> None:
    """dbt-spark's insert_overwrite without partition_by silently replaces the whole table with the new rows: every
    model that is incremental on Spark has partitions (macro incremental_settings chooses, and refuses the rest)."""
    from dbt_runner.spark_target import TARGET, spark_environment

    env = {**os.environ, **spark_environment(), "DBT_TARGET_PATH": str(tmp_path / "target")}
    listed = subprocess.run(
        [str(CLI.parent / "dbt"), "ls", *TARGET, "--resource-type", "model", "--select",
         "config.materialized:incremental", "--output", "json", "--output-keys", "name config", "--quiet"],
        capture_output=True, text=True, check=True, env=env).stdout
    models = [json.loads(line) for line in listed.splitlines() if line.startswith("{")]
    assert "stg_lms__events" in {m["name"] for m in models}
    wrong = [m["name"] for m in models
             if m["config"]["incremental_strategy"] != "insert_overwrite" or not m["config"].get("partition_by")]
    assert wrong == []


BY_DAY = ("staging.db/stg_lms__events", "intermediate.db/int_video_pings", "intermediate.db/int_quiz_submissions")
BY_LEARNER = ("intermediate.db/int_quiz_passes", "intermediate.db/int_learner_class_attempts",
              "intermediate.db/int_learner_class_progress", "intermediate.db/int_learner_course_progress",
              "intermediate.db/int_signals_unioned", "intermediate.db/int_student_activity_days",
              "intermediate.db/int_hearts_states")


@contextmanager
def _landing_into(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A write session on the test's warehouse, with LMS_WAREHOUSE_PATH set as the CLI would (the lake is beside
    it)."""
    previous = os.environ.get("LMS_WAREHOUSE_PATH")
    os.environ["LMS_WAREHOUSE_PATH"] = str(warehouse)
    try:
        with write_session(warehouse) as con:
            yield con
    finally:
        if previous is None:
            os.environ.pop("LMS_WAREHOUSE_PATH", None)
        else:
            os.environ["LMS_WAREHOUSE_PATH"] = previous


def _build_both(env: dict[str, str], as_of: str) -> None:
    _cli(env, "build", "--as-of", as_of)
    _cli(env, "build", "--target", "spark", "--as-of", as_of)


def _bucket_of(spark_dir: Path, organization_id: str, student_id: str) -> str:
    """The partition folder of a learner's bucket on Spark (read from a per-learner model's files)."""
    found = duckdb.sql(
        "select distinct learner_bucket from read_parquet("
        f"'{spark_dir}/_internal/intermediate.db/int_student_activity_days/*/*.parquet', hive_partitioning = true)"
        f" where organization_id = '{organization_id}' and student_id = '{student_id}'").fetchall()
    assert len(found) == 1
    return f"learner_bucket={found[0][0]}"


def _rewritten(earlier: dict[str, set[str]], later: dict[str, set[str]]) -> set[str]:
    """The partitions whose files changed; none may vanish."""
    assert set(earlier) <= set(later)
    return {part for part in later if earlier.get(part) != later[part]}


def _assert_every_relation_equal(warehouse: Path, spark_dir: Path) -> None:
    found = compare(warehouse, spark_dir)
    assert found.missing == [] and found.differing == [] and found.nonempty > 30


def _day_files(spark_dir: Path, table: str = BY_DAY[0], partition: str = "event_date") -> dict[str, set[str]]:
    """{partition folder: its Parquet file names} of a table partitioned by `partition` on Spark."""
    folder = spark_dir / "_internal" / table
    return {part.name: {f.name for f in part.glob("*.parquet")} for part in folder.glob(f"{partition}=*")}


def test_incremental_builds_on_spark_rewrite_only_what_they_touch_and_equal_duckdb(
        both_engines: Engines, tmp_path: Path) -> None:
    """After the full-build tests: it lands batches in the shared lake and builds three times, on local[2] over the
    cluster's tables; after each build every relation equals DuckDB's incremental build.
    1. A new day and a late event: stg_lms__events (dbt-spark's insert_overwrite by event day) rewrites their two
       days and no other (an old event's id re-sent with other content is quarantined at ingestion and touches
       nothing); the per-learner models rewrite the bucket of the one learner the new events belong to, no other.
    2. A later as-of, with nothing new landed, reaches that learner's event after the first as-of: the as-of models
       rewrite that learner's bucket and nothing else; the other models rewrite nothing.
    3. A new catalog version recomputes every row: each bucketed table is truncated first, so a bucket left empty
       keeps nothing."""
    from event_factory import ping, quiz, write_lines

    warehouse, spark_dir, *_ = both_engines
    env = {**os.environ, "LMS_WAREHOUSE_PATH": str(warehouse), "LMS_SPARK_WAREHOUSE": str(spark_dir)}
    before = _day_files(spark_dir)
    before_by_table = {table: _day_files(spark_dir, table) for table in BY_DAY[1:]}
    buckets_before = {table: _day_files(spark_dir, table, "learner_bucket") for table in BY_LEARNER}
    assert all(before_by_table.values()) and all(len(found) > 4 for found in buckets_before.values())
    with write_session(warehouse) as con:
        org, student, course, klass, old_id, old_day = con.execute(
            "select organization_id, student_id, course_id, class_id, event_id, cast(occurred_at as date)"
            " from staging.stg_lms__events where event_type = 'QUIZ_SUBMIT'"
            " order by occurred_at, event_id limit 1").fetchone()
    who = {"student_id": student, "course_id": course, "class_id": klass}
    resent_day, late_day, new_day = "2026-02-12", "2026-02-15", "2026-03-01"
    assert {f"event_date={day}" for day in (resent_day, late_day)} <= set(before)  # new_day may be a new partition
    assert str(old_day) not in (resent_day, late_day, new_day)
    batch = tmp_path / "new-day.ndjson"
    write_lines(batch, [
        ping("spark-new-1", occurred_at=f"{new_day}T11:00:00Z", **who),
        quiz("spark-late-1", occurred_at=f"{late_day}T09:00:00Z", **who),
        quiz(old_id, occurred_at=f"{resent_day}T08:00:00Z", **who),  # the same id again, another day
        quiz("spark-after-as-of-1", occurred_at=f"{new_day}T13:00:00Z", **who),  # beyond AS_OF: for step 2
    ])
    with _landing_into(warehouse) as con:
        landed = ingest_event_paths(con, [batch], organization_id=org)
    assert (landed.accepted, landed.rejected) == (3, 1)  # the other content under an old id: a conflict, quarantined
    _build_both(env, AS_OF)

    after = _day_files(spark_dir)
    touched = {f"event_date={day}" for day in (late_day, new_day)}
    assert set(before) <= set(after)
    assert {day for day in after if before.get(day) != after[day]} == touched  # every other day kept its files
    for table, earlier in before_by_table.items():  # the event models read those days of stg_lms__events
        later = _day_files(spark_dir, table)
        assert set(earlier) <= set(later)
        assert {day for day in later if earlier.get(day) != later[day]} <= touched, table
    _assert_every_relation_equal(warehouse, spark_dir)
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.execute(f"attach '{warehouse}' as duck (read_only)")
    # the per-learner models rewrote the one bucket of the one learner the new events belong to
    bucket = _bucket_of(spark_dir, org, student)
    for table, earlier in buckets_before.items():
        rewritten = _rewritten(earlier, _day_files(spark_dir, table, "learner_bucket"))
        assert rewritten <= {bucket}, table
        if table.endswith(("int_learner_class_attempts", "int_learner_course_progress",
                           "int_student_activity_days")):  # the learner has rows there
            assert rewritten == {bucket}, table
    key = "organization_id, event_id, occurred_at, batch_id"
    on_spark = (f"select {key} from read_parquet('{spark_dir}/_internal/staging.db/stg_lms__events/*/*.parquet',"
                " hive_partitioning = true)")
    on_duckdb = f"select {key} from duck.staging.stg_lms__events"
    assert con.execute(f"select count(*) from ({on_spark} except all {on_duckdb})").fetchone() == (0,)
    assert con.execute(f"select count(*) from ({on_duckdb} except all {on_spark})").fetchone() == (0,)
    kept = con.execute(f"select cast(occurred_at as date) from ({on_spark}) where event_id = ?", [old_id]).fetchall()
    assert [str(day) for (day,) in kept] == [str(old_day)]  # the first copy still wins
    con.close()  # the builds below write the warehouse

    # 2. a later as-of, nothing new landed
    as_of_models = ("intermediate.db/int_student_activity_days", "intermediate.db/int_course_activity_days",
                    "intermediate.db/int_gamification_signals", "intermediate.db/int_hearts_states")
    others = ("intermediate.db/int_learner_class_attempts", "intermediate.db/int_steps_completed")
    at_first_as_of = {table: _day_files(spark_dir, table, "learner_bucket") for table in as_of_models + others}
    assert all(len(found) > 4 for found in at_first_as_of.values())
    later_as_of = "2026-03-01T14:00:00"
    _build_both(env, later_as_of)
    for table in as_of_models:
        rewritten = _rewritten(at_first_as_of[table], _day_files(spark_dir, table, "learner_bucket"))
        assert rewritten <= {bucket}, table
        if table.endswith(("int_student_activity_days", "int_course_activity_days")):
            assert rewritten == {bucket}, table
    for table in others:
        assert _rewritten(at_first_as_of[table], _day_files(spark_dir, table, "learner_bucket")) == set(), table
    _assert_every_relation_equal(warehouse, spark_dir)

    # 3. a new catalog version
    catalog_dir = warehouse.parent.parent / "inputs" / "catalog"
    classes = json.loads((catalog_dir / "lms_class.json").read_text())
    first_video = next(c for c in classes if c.get("step_type") == "video")
    first_video.update(step_type="video_quiz", updated_at="2026-03-01T13:30:00Z")
    changed = tmp_path / "catalog"
    changed.mkdir()
    for path in catalog_dir.glob("*.json"):
        (changed / path.name).write_text(json.dumps(classes) if path.name == "lms_class.json" else path.read_text())
    steps_before = _day_files(spark_dir, "intermediate.db/int_steps_completed", "learner_bucket")
    with _landing_into(warehouse) as con:
        ingest_catalog_dir(con, changed, organization_id="default")
    _build_both(env, later_as_of)
    steps_after = _day_files(spark_dir, "intermediate.db/int_steps_completed", "learner_bucket")
    assert _rewritten(steps_before, steps_after) == set(steps_after)  # every bucket recomputed
    _assert_every_relation_equal(warehouse, spark_dir)
