"""An incremental `dbt build` tests the rows it recomputed; a full refresh tests every row. And unit tests are
re-run only when the code they check changed."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from event_factory import ping

from dbt_runner.run import dbt_build_args, run_dbt, target_dir
from dbt_runner.unit_test_record import (
    CODE_FILES,
    CODE_FOLDERS,
    record_unit_tests_passed,
    unit_test_code_fingerprint,
    unit_tests_passed_for_current_code,
)
from ingestion.events import ingest_event_paths
from ingestion.warehouse import PROJECT_DIR, write_session

AS_OF = datetime(2026, 3, 10)
# lms_event.student_id -> lms_student.id warns (an event may name a learner the catalog does not have yet):
# with no catalog at all, every event of the tested rows is one failure of that test.
ORPHAN_TEST = "relationships_lms_event_student_id__id__ref_lms_student_"


def _ingest(tmp_path: Path, name: str, events: list[dict]) -> None:
    path = tmp_path / f"{name}.ndjson"
    path.write_text("\n".join(json.dumps(e) for e in events) + "\n")
    with write_session() as con:
        result = ingest_event_paths(con, [path], organization_id="default")
    assert result.accepted == len(events)


def _orphans_reported(*, full_refresh: bool) -> int:
    # the whole project: the watermark of processed batches moves only after a run that built every
    # incremental model (macros/incremental/incremental_keys.sql)
    command = dbt_build_args(AS_OF, full_refresh=full_refresh).with_args("--exclude-resource-type", "unit_test")
    outcome = run_dbt(command)
    assert outcome.success, outcome.failures or outcome.error
    results = json.loads((target_dir() / "run_results.json").read_text())["results"]
    (failures,) = [r["failures"] for r in results if r["unique_id"].split(".")[-2] == ORPHAN_TEST]
    return failures


@pytest.mark.slow
def test_incremental_build_tests_the_recomputed_rows_and_a_full_refresh_every_row(
    warehouse_path: Path, tmp_path: Path
) -> None:
    _ingest(tmp_path, "day1", [ping(f"a-{n}", student_id=f"ghost-{n}") for n in range(3)])
    assert _orphans_reported(full_refresh=False) == 3  # first build: every row is new

    _ingest(tmp_path, "day2", [ping(f"b-{n}", student_id=f"ghost-b{n}",
                                    occurred_at="2026-03-03T10:00:00Z") for n in range(2)])
    assert _orphans_reported(full_refresh=False) == 2  # only the new batch's learners were recomputed
    assert _orphans_reported(full_refresh=False) == 0  # nothing new: nothing recomputed, nothing to test

    assert _orphans_reported(full_refresh=True) == 5


def test_unit_tests_count_as_passed_only_for_the_code_they_ran_on(tmp_path: Path) -> None:
    project = tmp_path / "project"
    for folder in CODE_FOLDERS:
        shutil.copytree(PROJECT_DIR / folder, project / folder)
    for name in CODE_FILES:
        shutil.copy(PROJECT_DIR / name, project / name)

    assert not unit_tests_passed_for_current_code(project)
    record_unit_tests_passed(project)
    assert unit_tests_passed_for_current_code(project)

    model = project / "models" / "marts" / "core" / "lms_event.sql"
    model.write_text(model.read_text() + "\n-- a comment is a change too\n")
    assert not unit_tests_passed_for_current_code(project)
    assert unit_test_code_fingerprint(project) != unit_test_code_fingerprint(PROJECT_DIR)
