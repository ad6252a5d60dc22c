"""Gamification end to end: LMS awards land like the catalog and are never counted twice; a badge of an
unknown criteria kind fails the build with a message naming it; streaks, hearts and the leaderboard exist."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from dbt_runner.run import dbt_build_args, run_dbt
from ingestion.awards import ingest_awards
from ingestion.catalog import ingest_catalog_dir
from ingestion.errors import IngestError
from ingestion.events import ingest_event_paths
from ingestion.warehouse import write_session
from lms_warehouse.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "e2e"
AS_OF = datetime(2024, 3, 4, 18, 0, 0)


def _award(award_id: str, **fields: object) -> dict[str, object]:
    return {"id": award_id, "badge_id": "badge-first-video", "student_id": "S1",
            "awarded_at": "2024-03-01T12:00:00Z", **fields}


def test_awards_land_with_reconciled_counts_and_rejects(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "gamification_award.json"
    path.write_text(json.dumps([
        _award("a1", context_json='{"why": "lms"}'),
        _award("a1", context_json='{"why": "lms"}'),  # the same object again: a duplicate
        _award("a2", badge_id=""),
        _award("a3", awarded_at="last tuesday"),
        "not an object",
    ]))
    first = ingest_awards(con, tmp_path, organization_id="o1")  # the folder holding the file works too
    assert (first.records_read, first.accepted, first.duplicates, first.rejected) == (5, 1, 1, 3)
    again = ingest_awards(con, path, organization_id="o1")
    assert (again.accepted, again.duplicates, again.rejected) == (0, 2, 3)
    assert con.execute("select count(*) from landing.gamification_awards").fetchone() == (1,)
    reasons = sorted(r for (r,) in con.execute(
        "select reason from landing.catalog_rejects where entity = 'gamification_award'").fetchall())
    assert reasons == ["awarded_at is not an ISO-8601 timestamp: 'last tuesday'", "missing or empty badge_id",
                       "not a JSON object"]  # rejected once each, however often the file is read


def test_a_missing_awards_file_is_a_clear_error(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=r"gamification_award\.json"):
        ingest_awards(con, tmp_path)


def test_cli_ingest_awards(warehouse_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "gamification_award.json").write_text(json.dumps([_award("a1")]))
    assert main(["ingest", "awards", str(tmp_path), "--organization", "o1"]) == 0
    assert "gamification_awards: read 1 = accepted 1 + duplicates 0 + rejected 0" in capsys.readouterr().out


def _build_fixture(warehouse_path: Path, awards: list[dict[str, object]]) -> duckdb.DuckDBPyConnection:
    folder = warehouse_path.parent / "awards"
    folder.mkdir(parents=True)
    (folder / "gamification_award.json").write_text(json.dumps(awards))
    with write_session(warehouse_path) as con:
        ingest_catalog_dir(con, FIXTURE / "catalog")
        ingest_event_paths(con, [FIXTURE / "events"])
        ingest_awards(con, folder)
    outcome = run_dbt(dbt_build_args(AS_OF))
    assert outcome.success, outcome.failures or outcome.error
    return duckdb.connect(str(warehouse_path))


@pytest.mark.e2e
def test_lms_awards_are_kept_once_and_unknown_criteria_fail_the_build(warehouse_path: Path) -> None:
    # S1 completes a video in the fixture, so the warehouse would award badge-first-video itself too
    con = _build_fixture(warehouse_path, [_award("lms-award-1", awarded_at="2024-03-01T12:00:00Z")])
    try:
        rows = con.execute(
            "select id, award_source, awarded_at from gamification_award "
            "where student_id = 'S1' and badge_id = 'badge-first-video'").fetchall()
        assert rows == [("lms-award-1", "lms", datetime(2024, 3, 1, 12, 0))]
        computed = con.execute("select count(*) from gamification_award where award_source = 'warehouse'").fetchone()
        assert computed[0] > 0
        points, badges = con.execute(
            "select total_points, badges_count from v_leaderboard where student_id = 'S1'").fetchone()
        ledger = con.execute("select sum(xp) from gamification_xp_ledger where student_id = 'S1'").fetchone()[0]
        assert points == ledger and badges >= 1
        assert con.execute("select count(*) from v_streak_history").fetchone()[0] > 0
        # S1 failed a quiz on 2024-03-02 09:10: one heart lost, back 5 h later, full again at as-of
        assert con.execute("select reason, changed_at, hearts_after from hearts_history where student_id = 'S1' "
                           "order by change_number").fetchall() == [
            ("quiz_failed", datetime(2024, 3, 2, 9, 10), 4), ("regenerated", datetime(2024, 3, 2, 14, 10), 5)]
        assert con.execute("select hearts, next_heart_at from hearts where student_id = 'S1'").fetchone() == (5, None)
        # a badge of an unknown criteria kind: the badge model fails with a message naming the badge
        con.execute("insert into seeds.gamification_badges (id, name, points_reward, criteria_json, is_active) "
                    "values ('badge-logins', 'Logins', 5, '{\"logins\": 3}', 1)")
    finally:
        con.close()
    as_of = json.dumps({"as_of": "2024-03-04 18:00:00"})
    outcome = run_dbt(["run", "--vars", as_of, "--select", "int_gamification_badge_criteria", "gamification_badge"])
    assert not outcome.success
    message = " ".join(outcome.failures) + (outcome.error or "")
    assert "badge badge-logins has criteria_json" in message and "of unknown kind" in message, message
