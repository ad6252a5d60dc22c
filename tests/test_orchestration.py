"""Dagster for production: partitions and backfills, the landing sensor, schedules, pools, the event-lag check.

Real runs: `materialize` into a temp DuckDB file with real dbt builds; the sensor over a real folder.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from dagster import (
    AssetCheckSeverity,
    AssetKey,
    AssetSelection,
    Backoff,
    DagsterInstance,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    Definitions,
    Jitter,
    build_schedule_context,
    build_sensor_context,
    define_asset_job,
    materialize,
)
from event_factory import ping, quiz, write_lines
from test_xapi_lrs import statement

from dbt_runner.run import dbt_build_args
from devtools.simulators.lrs import create_app
from devtools.simulators.unified_lms import serve_in_thread
from orchestration.assets.dbt import DbtBuildConfig, lms_dbt_assets
from orchestration.assets.landing import landed_lms_catalog, landed_lms_events
from orchestration.checks import event_lag_check, event_lag_result
from orchestration.partitions import LANDING_SCOPE_TAG, WHOLE_LANDING_DIR, XAPI_PULL_TAG, current_partition_key
from orchestration.policies import HTTP_RETRY_POLICY, WAREHOUSE_POOL
from orchestration.project import dbt_project
from orchestration.resources import LmsEngine, LmsSources, build_resources
from orchestration.run_config import build_run_config
from orchestration.sensors import landing_files_sensor

PROJECT_DIR = Path(__file__).resolve().parents[1]
EVENTS = AssetKey(["landing", "lms_events"])


def _landing(tmp_path: Path) -> Path:
    """Three dated folders (one event each) and one file outside any dated folder."""
    folder = tmp_path / "landing"
    write_lines(folder / "2024-03-01" / "a.ndjson", [ping("d1", occurred_at="2024-03-01T10:00:00Z")])
    write_lines(folder / "2024-03-02" / "b.ndjson", [ping("d2", occurred_at="2024-03-02T10:00:00Z")])
    write_lines(folder / "2024-03-03" / "c.ndjson", [quiz("d3", occurred_at="2024-03-03T10:00:00Z")])
    write_lines(folder / "loose.ndjson", [ping("u1", occurred_at="2024-03-03T11:00:00Z")])
    return folder


def _landed_ids(warehouse: Path) -> list[str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return [row[0] for row in con.execute("select id from landing.lms_events order by id").fetchall()]
    finally:
        con.close()


def _logs(instance: DagsterInstance, run_id: str) -> str:
    return "\n".join(entry.user_message for entry in instance.all_logs(run_id))


# --- definitions ---------------------------------------------------------------------------------


def test_definitions_load_with_jobs_schedules_sensor_and_checks() -> None:
    from orchestration.definitions import defs

    Definitions.validate_loadable(defs)
    assert {s.name for s in defs.schedules} == {"hourly_refresh", "nightly_exports", "weekly_xapi_full"}
    assert [s.name for s in defs.sensors] == ["landing_files_sensor"]
    # The exports group may still be empty: its job resolves (and would run nothing).
    assert defs.resolve_job_def("exports_job").name == "exports_job"
    events_job = defs.resolve_job_def("events_job")
    assert events_job.partitions_def is not None
    graph = defs.resolve_asset_graph()
    assert graph.get(EVENTS).partitions_def is not None
    # dbt is one unpartitioned set: the incremental models pick their own new batches, a day would limit nothing
    dbt_sets = [a for a in defs.assets if getattr(a, "op", None) is not None and a.op.name.startswith("lms_dbt")]
    assert [a.op.name for a in dbt_sets] == ["lms_dbt_assets"]
    assert graph.get(AssetKey(["main", "lms_event"])).partitions_def is None
    check_keys = {key.name for key in graph.asset_check_keys if key.asset_key == EVENTS}
    assert "event_lag" in check_keys
    # dbt tests stay asset checks of their own asset.
    assert any(key.asset_key == AssetKey(["main", "v_user_progress"]) for key in graph.asset_check_keys)


def test_the_code_location_loads_under_dagster_dev_without_the_venv_on_path(tmp_path: Path) -> None:
    # `dagster dev` re-parses the dbt project when it imports the code location: that must not need a `dbt`
    # executable on PATH (a fresh clone's `make dagster` has no activated venv)
    import subprocess
    import sys

    env = {**os.environ, "PATH": "/usr/bin:/bin", "DAGSTER_IS_DEV_CLI": "1",
           "LMS_WAREHOUSE_PATH": str(tmp_path / "lms.duckdb")}
    code = ("from orchestration.definitions import defs\n"
            "print(len(list(defs.resolve_asset_graph().get_all_asset_keys())))")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert int(result.stdout.strip().splitlines()[-1]) > 100  # the whole graph, dbt models included


def test_schedules_and_sensors_ship_stopped() -> None:
    # a fresh clone (or the demo's instance) must not start refreshing the warehouse at today's clock
    from orchestration.definitions import defs

    assert {s.name: s.default_status for s in defs.schedules} == {
        name: DefaultScheduleStatus.STOPPED for name in ("hourly_refresh", "nightly_exports", "weekly_xapi_full")}
    assert [s.default_status for s in defs.sensors] == [DefaultSensorStatus.STOPPED]


def test_the_weekly_xapi_schedule_asks_for_a_full_pull_of_today() -> None:
    from orchestration.definitions import defs

    schedule = defs.get_schedule_def("weekly_xapi_full")
    context = build_schedule_context(scheduled_execution_time=datetime(2024, 3, 10, 3, 0, tzinfo=UTC),
                                     repository_def=defs.get_repository_def())
    (request,) = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == "2024-03-10" and request.tags[XAPI_PULL_TAG] == "full"
    assert defs.resolve_job_def(schedule.job_name).name == "events_job"


def test_the_events_asset_pulls_the_lrs_incrementally_and_in_full(warehouse_path: Path) -> None:
    app = create_app([statement(n, n) for n in range(1, 4)], since_field="timestamp")
    with serve_in_thread(app) as base:
        resources = {"sources": LmsSources(xapi_endpoint=f"{base}/xapi/")}
        first = materialize([landed_lms_events], resources=resources)
        full = materialize([landed_lms_events], resources=resources, tags={XAPI_PULL_TAG: "full"})
    assert first.success and full.success
    pulls = [r.get_asset_materialization_events()[0].materialization.metadata for r in (first, full)]
    assert [(m["xapi_pull"].text, m["xapi_accepted"].value, m["xapi_duplicates"].value) for m in pulls] == [
        ("incremental", 3, 0), ("full", 0, 3)]
    assert [r["query"].get("since") for r in app.state.requests] == [None, None]
    assert len(_landed_ids(warehouse_path)) == 3


# Steps that never open the DuckDB file (none yet) may stay out of the pool: name their op here.
NO_WAREHOUSE_STEPS: set[str] = set()


def test_every_step_that_opens_the_warehouse_is_in_the_duckdb_pool() -> None:
    from orchestration.definitions import defs

    steps = [d for d in (*defs.assets, *defs.asset_checks) if d.op.name not in NO_WAREHOUSE_STEPS]
    assert steps
    for definition in steps:
        assert definition.op.pool == WAREHOUSE_POOL, (
            f"{definition.op.name} opens the warehouse? then give it pool=WAREHOUSE_POOL"
        )


def test_dagster_yaml_limits_the_pool_to_one_slot_and_queues_runs(tmp_path: Path) -> None:
    shutil.copy(PROJECT_DIR / "orchestration" / "dagster.yaml", tmp_path / "dagster.yaml")
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        config = instance.get_concurrency_config()
        assert config.pool_config.default_pool_limit == 1
        assert config.run_queue_config.max_concurrent_runs >= 1
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
    makefile = (PROJECT_DIR / "Makefile").read_text()
    assert "orchestration/dagster.yaml" in makefile  # `make dagster` installs it into .dagster_home


def test_http_retry_policy_backs_off_exponentially_with_jitter() -> None:
    assert HTTP_RETRY_POLICY.max_retries >= 2
    assert HTTP_RETRY_POLICY.backoff == Backoff.EXPONENTIAL
    assert HTTP_RETRY_POLICY.jitter == Jitter.PLUS_MINUS
    assert HTTP_RETRY_POLICY.delay and HTTP_RETRY_POLICY.delay > 0


def test_the_dbt_assets_are_the_selector_that_names_the_whole_project() -> None:
    manifest = json.loads(dbt_project.manifest_path.read_text())
    assert manifest["selectors"]["lms_warehouse"]["definition"] == {"method": "fqn", "value": "*"}
    nodes = manifest["nodes"].values()
    built = [node["name"] for node in nodes if node["resource_type"] in ("model", "seed", "snapshot")]
    assert sorted(key.path[-1] for key in lms_dbt_assets.keys) == sorted(built)
    data_tests = [node for node in nodes if node["resource_type"] == "test"]
    assert len(lms_dbt_assets.check_keys) == len(data_tests)  # every dbt test is an asset check
    # The job of everything runs the set as one op (no cycle with the other assets splits it).
    defs = Definitions(assets=[landed_lms_events, landed_lms_catalog, lms_dbt_assets],
                       jobs=[define_asset_job("all", selection=AssetSelection.all())], resources=build_resources())
    dbt_ops = {n for n in defs.resolve_job_def("all").graph.node_dict if n.startswith("lms_dbt")}
    assert dbt_ops == {"lms_dbt_assets"}
    assert set(build_run_config(defs.resolve_job_def("all"), as_of="2024-03-04 18:00:00")["ops"]) == dbt_ops


def test_a_recompute_window_takes_both_ends_or_none() -> None:
    assert DbtBuildConfig().recompute_window() is None
    both = DbtBuildConfig(recompute_from="2024-03-01", recompute_to="2024-03-02 12:00:00")
    assert both.recompute_window() == (datetime(2024, 3, 1), datetime(2024, 3, 2, 12))
    with pytest.raises(ValueError, match="recompute_from and recompute_to go together"):
        DbtBuildConfig(recompute_from="2024-03-01").recompute_window()


def test_dbt_build_args_pass_as_of_and_the_partition_window_in_the_environment() -> None:
    as_of = datetime(2024, 3, 4, 18, 0, 0)
    plain = dbt_build_args(as_of)
    assert plain.args == ["build"]  # no --vars: they would make dbt re-parse the project on every run
    assert plain.env == {"LMS_AS_OF": "2024-03-04 18:00:00", "LMS_PARTITION_START": "", "LMS_PARTITION_END": ""}
    windowed = dbt_build_args(as_of, full_refresh=True,
                              partition_window=(datetime(2024, 3, 2), datetime(2024, 3, 4)))
    assert windowed.env == {
        "LMS_AS_OF": "2024-03-04 18:00:00",
        "LMS_PARTITION_START": "2024-03-02 00:00:00",
        "LMS_PARTITION_END": "2024-03-04 00:00:00",
    }
    assert windowed.args == ["build", "--full-refresh"]


# --- partitions and backfills --------------------------------------------------------------------


@pytest.fixture
def landing(tmp_path: Path, warehouse_path: Path) -> Path:
    return _landing(tmp_path)


def test_daily_partitions_land_their_folder_and_a_backfill_range_lands_two_days(
    landing: Path, warehouse_path: Path
) -> None:
    # One dbt model built with the landing (dagster-dbt selects just it): the dbt set is not partitioned.
    staged_events = AssetKey(["staging", "stg_lms__events"])
    assets = [landed_lms_events, lms_dbt_assets]
    resources = {**build_resources(), "sources": LmsSources(landing_dir=str(landing))}
    run_config = {"ops": {lms_dbt_assets.op.name: {"config": {"as_of": "2024-03-04 00:00:00"}}}}
    with DagsterInstance.ephemeral() as instance:
        day = materialize(assets, selection=[EVENTS, staged_events], partition_key="2024-03-01",
                          resources=resources, instance=instance, run_config=run_config)
        assert day.success
        assert _landed_ids(warehouse_path) == ["d1"]

        # A backfill of 2024-03-02..2024-03-03 as one run (the landing asset's single-run backfill policy).
        backfill = materialize(
            assets,
            selection=[EVENTS, staged_events],
            resources=resources,
            instance=instance,
            run_config=run_config,
            tags={"dagster/asset_partition_range_start": "2024-03-02",
                  "dagster/asset_partition_range_end": "2024-03-03"},
        )
        assert backfill.success
        assert _landed_ids(warehouse_path) == ["d1", "d2", "d3"]  # the loose file is not a day's
        materialized = {
            (event.asset_key, event.partition)
            for event in backfill.get_asset_materialization_events()
            for event in [event.materialization]
        }
        assert {(EVENTS, "2024-03-02"), (EVENTS, "2024-03-03"), (staged_events, None)} <= materialized
        staged = duckdb.connect(str(warehouse_path), read_only=True)
        try:
            assert staged.execute("select count(*) from staging.stg_lms__events").fetchone() == (3,)
        finally:
            staged.close()

        # Say a whole run processed every batch (the watermark; these runs built one model, so it did not move).
        # Then a run asked to recompute 2024-03-01 hands the incremental models that day's events, and no other.
        state = duckdb.connect(str(warehouse_path))
        try:
            state.execute("insert into build_state.built_batches select batch_id from landing.ingest_batches")
        finally:
            state.close()
        recompute = {"ops": {lms_dbt_assets.op.name: {"config": {
            "as_of": "2024-03-04 00:00:00", "recompute_from": "2024-03-01", "recompute_to": "2024-03-02"}}}}
        again = materialize(assets, selection=[staged_events], resources=resources, instance=instance,
                            run_config=recompute)
        assert again.success
        assert "recompute window 2024-03-01 00:00:00 .. 2024-03-02 00:00:00" in _logs(instance, again.run_id)
        state = duckdb.connect(str(warehouse_path), read_only=True)
        try:
            assert state.execute("select id from build_state.run_events").fetchall() == [("d1",)]
        finally:
            state.close()

        # A run tagged for the whole folder (the hourly refresh: today's partition) also lands the loose file;
        # the dated ones add nothing.
        whole = materialize([landed_lms_events], resources=resources, instance=instance,
                            partition_key=current_partition_key(), tags=WHOLE_LANDING_DIR)
        assert whole.success
        assert _landed_ids(warehouse_path) == ["d1", "d2", "d3", "u1"]
        metadata = whole.get_asset_materialization_events()[0].materialization.metadata
        assert metadata["accepted"].value == 1 and metadata["duplicates"].value == 3


def test_a_day_without_a_folder_materializes_as_skipped(landing: Path, warehouse_path: Path) -> None:
    resources = {"sources": LmsSources(landing_dir=str(landing))}
    result = materialize([landed_lms_events], partition_key="2024-03-09", resources=resources)
    assert result.success
    assert "skipped" in result.get_asset_materialization_events()[0].materialization.metadata
    assert not warehouse_path.exists() or _landed_ids(warehouse_path) == []


# --- the landing sensor --------------------------------------------------------------------------


def _evaluate(landing: Path, cursor: str | None):
    with DagsterInstance.ephemeral() as instance:
        context = build_sensor_context(
            instance=instance, cursor=cursor, resources={"sources": LmsSources(landing_dir=str(landing))}
        )
        return landing_files_sensor(context)


def _requested(result) -> list[str]:
    """The days requested; "all" for a run of today's partition that reads the whole folder."""
    today = current_partition_key()
    keys = []
    for request in result.run_requests or []:
        if request.tags.get(LANDING_SCOPE_TAG) == "all":
            assert request.partition_key == today
            keys.append("all")
        else:
            keys.append(request.partition_key)
    return sorted(keys)


def test_the_sensor_requests_a_run_per_day_with_new_files(tmp_path: Path) -> None:
    landing = _landing(tmp_path)
    first = _evaluate(landing, None)
    assert _requested(first) == ["2024-03-01", "2024-03-02", "2024-03-03", "all"]
    assert all(r.run_key for r in first.run_requests)
    assert set(json.loads(first.cursor)) == {"2024-03-01/a.ndjson", "2024-03-02/b.ndjson",
                                            "2024-03-03/c.ndjson", "loose.ndjson"}

    again = _evaluate(landing, first.cursor)
    assert again.run_requests == [] or again.run_requests is None
    assert again.skip_reason is not None

    write_lines(landing / "2024-03-02" / "late.ndjson", [ping("d2b", occurred_at="2024-03-02T12:00:00Z")])
    (landing / "notes.txt").write_text("not an event file")
    (landing / "1999-01-01").mkdir()
    write_lines(landing / "1999-01-01" / "old.ndjson", [ping("old", occurred_at="1999-01-01T12:00:00Z")])
    third = _evaluate(landing, again.cursor)
    # The new day-2 file asks for its day; a dated folder before the first partition goes to the whole-folder run.
    assert _requested(third) == ["2024-03-02", "all"]

    loose = landing / "loose.ndjson"
    stat = loose.stat()
    os.utime(loose, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # rewritten in place
    fourth = _evaluate(landing, third.cursor)
    assert _requested(fourth) == ["all"]
    assert fourth.run_requests[0].run_key not in {r.run_key for r in first.run_requests}


def test_the_sensor_skips_without_a_landing_folder(tmp_path: Path) -> None:
    result = _evaluate(tmp_path / "missing", None)
    assert "not a folder" in (result.skip_message or "")


def test_the_sensor_run_requests_resolve_against_the_events_job(tmp_path: Path) -> None:
    from orchestration.definitions import defs

    landing = _landing(tmp_path)
    sensor = defs.get_sensor_def("landing_files_sensor")
    with DagsterInstance.ephemeral() as instance:
        context = build_sensor_context(
            instance=instance, definitions=defs, resources={"sources": LmsSources(landing_dir=str(landing))}
        )
        requests = sensor.evaluate_tick(context).run_requests
    assert {r.tags.get("dagster/partition") for r in requests} == {
        "2024-03-01", "2024-03-02", "2024-03-03", current_partition_key()}
    assert sum(r.tags.get(LANDING_SCOPE_TAG) == "all" for r in requests) == 1


def test_the_hourly_refresh_runs_the_current_day_reading_the_whole_folder() -> None:
    from orchestration.definitions import defs

    hourly_refresh = defs.get_schedule_def("hourly_refresh")

    def tick(moment: datetime):
        context = build_schedule_context(scheduled_execution_time=moment, repository_def=defs.get_repository_def())
        return hourly_refresh.evaluate_tick(context).run_requests[0]

    request = tick(datetime(2024, 3, 5, 13, 0, tzinfo=UTC))
    assert request.partition_key == "2024-03-05"
    assert request.tags[LANDING_SCOPE_TAG] == "all"
    assert tick(datetime(2024, 3, 5, 23, 0, tzinfo=UTC)).partition_key == "2024-03-05"  # UTC day, all day long


# --- the event-lag check -------------------------------------------------------------------------

NOW = datetime(2024, 3, 4, 18, 0, 0)


def test_event_lag_passes_at_the_threshold_and_warns_above_it() -> None:
    at_edge = event_lag_result(NOW - timedelta(hours=6), NOW, 6.0)
    assert at_edge.passed and at_edge.metadata["lag_hours"].value == 6.0
    above = event_lag_result(NOW - timedelta(hours=6, seconds=1), NOW, 6.0)
    assert not above.passed and above.severity == AssetCheckSeverity.WARN
    assert above.metadata["lag_hours"].value == pytest.approx(6.0003, abs=1e-3)
    empty = event_lag_result(None, NOW, 6.0)
    assert not empty.passed and empty.severity == AssetCheckSeverity.WARN


def test_event_lag_check_runs_on_the_landed_events(
    landing: Path, warehouse_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    resources = {"sources": LmsSources(landing_dir=str(landing))}

    def run(as_of: str):
        result = materialize(
            [landed_lms_events, event_lag_check],
            resources=resources,
            run_config={"ops": {event_lag_check.op.name: {"config": {"as_of": as_of}}}},
        )
        assert result.success
        (evaluation,) = result.get_asset_check_evaluations()
        return evaluation

    # The newest landed event is 2024-03-03 11:00 (the loose file; an unpartitioned run reads all).
    monkeypatch.setenv("LMS_EVENT_LAG_WARN_HOURS", "2")
    fresh = run("2024-03-03 13:00:00")
    assert fresh.passed and fresh.metadata["lag_hours"].value == 2.0
    stale = run("2024-03-03 13:00:01")
    assert not stale.passed and stale.severity == AssetCheckSeverity.WARN
    assert stale.metadata["latest_occurred_at"].value == "2024-03-03 11:00:00"


# --- the real incremental models, run by day and by backfill, equal a full rebuild ---------------

E2E = Path(__file__).parent / "fixtures" / "e2e"


@pytest.mark.slow
@pytest.mark.e2e
def test_daily_runs_and_a_backfill_of_the_events_job_equal_a_full_rebuild(
    tmp_path: Path, warehouse_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dbt_runner.run import run_dbt
    from ingestion.warehouse import write_session
    from lms_warehouse.fingerprint import differences, mart_fingerprints
    from orchestration.definitions import defs

    landing = tmp_path / "landing"
    # The two fixture files land on two days; the second holds events that occurred days earlier.
    for day, name in (("2024-03-01", "day1.ndjson"), ("2024-03-03", "day2.jsonl")):
        (landing / day).mkdir(parents=True)
        shutil.copy(E2E / "events" / name, landing / day / name)
    monkeypatch.setenv("LMS_LANDING_DIR", str(landing))
    monkeypatch.setenv("LMS_CATALOG_DIR", str(E2E / "catalog"))
    as_of = "2024-03-04 18:00:00"
    assert materialize([landed_lms_catalog], resources={"sources": LmsSources()}).success

    job = defs.resolve_job_def("events_job")
    run_config = build_run_config(job, as_of=as_of)
    with DagsterInstance.ephemeral() as instance:
        first = job.execute_in_process(run_config=run_config, instance=instance, partition_key="2024-03-01")
        assert first.success
        backfill = job.execute_in_process(
            run_config=run_config,
            instance=instance,
            tags={"dagster/asset_partition_range_start": "2024-03-02",
                  "dagster/asset_partition_range_end": "2024-03-03"},
        )
        assert backfill.success
    with write_session(warehouse_path) as con:
        by_partition = mart_fingerprints(con)
    assert by_partition["v_user_progress"].rows == 5

    rebuilt = run_dbt(dbt_build_args(datetime.fromisoformat(as_of), full_refresh=True))
    assert rebuilt.success, rebuilt.failures or rebuilt.error
    with write_session(warehouse_path) as con:
        full = mart_fingerprints(con)
    # events_job builds what the events feed (lms_instructor, say, is the hourly job's): compare those.
    assert {"v_user_progress", "lms_signal", "v_course_progress", "v_event_daily_stats"} <= set(by_partition)
    assert differences(by_partition, {name: full[name] for name in by_partition if name in full}) == []


def test_the_demo_records_its_runs_where_make_dagster_looks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lms_warehouse.pipeline import use_project_dagster_home

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.setattr("lms_warehouse.pipeline.PROJECT_DIR", tmp_path)
    (tmp_path / "orchestration").mkdir()
    shutil.copyfile(PROJECT_DIR / "orchestration" / "dagster.yaml", tmp_path / "orchestration" / "dagster.yaml")

    home = use_project_dagster_home()

    # the Makefile's `dagster` target opens $(CURDIR)/.dagster_home: the same folder, the same settings
    assert home == tmp_path / ".dagster_home" and os.environ["DAGSTER_HOME"] == str(home)
    assert (home / "dagster.yaml").read_text() == (PROJECT_DIR / "orchestration" / "dagster.yaml").read_text()
    assert "DAGSTER_HOME=$(CURDIR)/.dagster_home" in (PROJECT_DIR / "Makefile").read_text()


def test_asset_groups_follow_layers_and_every_asset_and_check_is_described() -> None:
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    groups = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert groups["landing/lms_events"] == "landing"
    assert groups["staging/stg_lms__events"] == "staging"
    assert groups["main/lms_event"] == "marts_core" and groups["main/v_streak_history"] == "marts_gamification"
    assert "default" not in set(groups.values())
    assert [k for k in graph.get_all_asset_keys() if not (graph.get(k).description or "").strip()] == []
    specs = [spec for definition in (*defs.assets, *defs.asset_checks) for spec in definition.check_specs]
    assert len(specs) > 250 and [s.key for s in specs if not s.description] == []
    accepted = next(s for s in specs if s.name.startswith("accepted_values_lms_signal_type"))
    assert accepted.description == ("`type` is one of ['VIDEO_COMPLETED', 'QUIZ_PASSED', 'STEP_COMPLETED', "
                                    "'COURSE_COMPLETED'] (an incremental build checks the rows it recomputed).")


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


ASSETS_QUERY = """
{ assetNodes { assetKey { path } groupName description
    assetChecksOrError { ... on AssetChecks { checks { name description } } } } }
"""


def test_the_webserver_shows_the_grouped_graph_with_described_checks(tmp_path: Path) -> None:
    # what `make dagster` opens, asked over the webserver's GraphQL API on loopback, with the venv not on PATH
    import subprocess
    import sys
    import time

    import httpx

    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(PROJECT_DIR / "orchestration" / "dagster.yaml", home / "dagster.yaml")
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "PATH": "/usr/bin:/bin",
           "LMS_WAREHOUSE_PATH": str(tmp_path / "lms.duckdb")}
    webserver = Path(sys.executable).with_name("dagster-webserver")
    server = subprocess.Popen([str(webserver), "-m", "orchestration.definitions", "-h", "127.0.0.1", "-p", str(port)],
                              cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        nodes = None
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and nodes is None:
            assert server.poll() is None, server.stderr.read()[-3000:] if server.stderr else "webserver exited"
            try:
                answer = httpx.post(f"{url}/graphql", json={"query": ASSETS_QUERY}, timeout=30).json()
                nodes = (answer.get("data") or {}).get("assetNodes") or None
            except httpx.TransportError:
                pass
            if nodes is None:
                time.sleep(1)
        assert nodes, "the webserver did not serve the asset graph within 180 s"
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    groups = {"/".join(n["assetKey"]["path"]): n["groupName"] for n in nodes}
    assert len(groups) > 100
    assert {"landing", "staging", "intermediate", "marts_core", "marts_gamification"} <= set(groups.values())
    assert groups["landing/lms_events"] == "landing" and groups["main/lms_signal"] == "marts_core"
    assert all((n["description"] or "").strip() for n in nodes)
    checks = [c for n in nodes for c in (n["assetChecksOrError"] or {}).get("checks", [])]
    assert len(checks) > 250 and all((c["description"] or "").strip() for c in checks)


def test_the_engine_resource_names_the_dbt_target_and_refuses_an_unknown_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LMS_DBT_TARGET", raising=False)
    assert LmsEngine().target_name() == "duckdb"
    monkeypatch.setenv("LMS_DBT_TARGET", " Spark ")
    assert LmsEngine().target_name() == "spark"
    assert LmsEngine(target="duckdb").target_name() == "duckdb"  # the resource's setting wins
    monkeypatch.setenv("LMS_DBT_TARGET", "postgres")
    with pytest.raises(ValueError, match="LMS_DBT_TARGET is 'postgres': set it to one of duckdb, spark"):
        LmsEngine().target_name()
