"""`lms-warehouse ingest mooc|h5p` and the Dagster exports asset, against the simulator served on 127.0.0.1."""

from __future__ import annotations

import duckdb
import pytest

from devtools.simulators.mooc_api import Fault, MoocApiOptions, create_app, sample_dataset
from devtools.simulators.unified_lms import serve_in_thread
from lms_warehouse.cli import main

DATASET = sample_dataset()
COURSE_A, COURSE_B = list(DATASET["courses"])


def _count(path, sql: str) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_cli_lands_what_succeeded_and_exits_non_zero_naming_the_failures(warehouse_path, capsys, monkeypatch):
    monkeypatch.setenv("LMS_MOOC_TOKEN", "t-mooc")
    monkeypatch.setenv("LMS_H5P_TOKEN", "t-h5p")
    app = create_app(DATASET, tokens={"mooc": "t-mooc", "h5p": "t-h5p"}, options=MoocApiOptions(page_size=2),
                     faults=[Fault.malformed("export.complete", course_id=COURSE_B)])
    with serve_in_thread(app) as base:
        failed = main(["ingest", "mooc", "--base-url", base, "--course-id", COURSE_A, "--course-id", COURSE_B])
        out = capsys.readouterr()
        h5p = main(["ingest", "h5p", "--base-url", base, "--course-id", COURSE_A, "--concurrency", "2"])
        again = main(["ingest", "mooc", "--base-url", base, "--course-id", COURSE_A, "--course-id", COURSE_B])
        repeat = capsys.readouterr()

    assert failed == 1
    assert "1 of 4 requests failed; 1 of 2 courses not landed" in out.err
    assert f"failed: {COURSE_B}: {base}/export/complete-student-data/{COURSE_B}/" in out.out
    assert "mooc_export: 1/2 courses, 5 users fetched; records 20 = new 20" in out.out
    assert h5p == 0 and again == 0
    assert "records 40 = new 20 + unchanged 20" in repeat.out
    assert _count(warehouse_path, "select count(*) from landing.mooc_records where source = 'h5p'") == 15
    assert _count(warehouse_path, "select count(*) from landing.mooc_records") == 55
    assert _count(warehouse_path, "select count(*) from landing.http_fetch_log where not ok") == 1


def test_cli_refuses_a_concurrency_below_one(warehouse_path, capsys):
    assert main(["ingest", "h5p", "--base-url", "http://127.0.0.1:9", "--course-id", "c", "--concurrency", "0"]) == 1
    assert "--concurrency must be at least 1" in capsys.readouterr().err


def _materialize():
    from dagster import materialize

    from orchestration.assets.exports import landed_mooc_and_h5p
    from orchestration.resources import LmsSources

    return materialize([landed_mooc_and_h5p], resources={"sources": LmsSources()}, raise_on_error=False)


def _check(result):
    [evaluation] = result.get_asset_check_evaluations()
    return evaluation


@pytest.mark.e2e
def test_dagster_asset_fetches_mooc_then_h5p_and_checks_the_fetches(warehouse_path, monkeypatch):
    app = create_app(DATASET, options=MoocApiOptions(page_size=2),
                     faults=[Fault.malformed("h5p.dashboard", user_id="1001", course_id=COURSE_A)])
    with serve_in_thread(app) as base:
        for name, value in (("LMS_MOOC_BASE_URL", base), ("LMS_H5P_BASE_URL", base),
                            ("LMS_MOOC_COURSE_IDS", f"{COURSE_A}, {COURSE_B}")):
            monkeypatch.setenv(name, value)
        result = _materialize()

    assert result.success
    check = _check(result)
    assert not check.passed and check.severity.value == "ERROR"
    assert check.metadata["failed_requests"].value == 1
    assert "malformed body" in check.metadata["first_reasons"].value
    assert _count(warehouse_path, "select count(*) from landing.mooc_records where source = 'mooc_export'") == 40
    assert _count(warehouse_path, "select count(*) from landing.mooc_records where source = 'h5p'") == 27


@pytest.mark.e2e
def test_dagster_asset_skips_cleanly_when_unconfigured(warehouse_path, monkeypatch):
    for name in ("LMS_MOOC_BASE_URL", "LMS_H5P_BASE_URL", "LMS_MOOC_COURSE_IDS"):
        monkeypatch.delenv(name, raising=False)
    result = _materialize()

    assert result.success and _check(result).passed
    assert not warehouse_path.exists()  # skipped without even opening the warehouse


def test_the_scheduled_job_includes_the_exports_asset():
    from dagster import AssetKey

    from orchestration.definitions import defs

    job = defs.resolve_job_def("lms_warehouse_job")
    keys = job.asset_layer.asset_graph.get_all_asset_keys()
    assert {AssetKey(["landing", "mooc_records"]), AssetKey(["landing", "http_fetch_log"])} <= set(keys)


def test_simulate_serves_the_apis_on_a_local_port(tmp_path):
    import json
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dataset = tmp_path / "dataset.json"
    dataset.write_text(json.dumps(sample_dataset(("course-x",), users_per_course=3)))
    process = subprocess.Popen(
        [sys.executable, "-m", "lms_warehouse.cli", "simulate", "--port", str(port), "--dataset", str(dataset)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        body = None
        for _ in range(300):  # wait for the server to listen (bounded)
            try:
                body = httpx.get(f"http://127.0.0.1:{port}/export/student-grades/course-x/").json()
                break
            except httpx.TransportError:
                if process.poll() is not None:
                    break
                time.sleep(0.1)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert body is not None, output
    assert body["count"] == 3 and [g["user_id"] for g in body["results"]] == [1000, 1001, 1002]
    assert f"http://127.0.0.1:{port}" in output
