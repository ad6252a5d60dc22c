"""Tenants never mix: two organizations with the same event, student, course and class ids, in one warehouse.

An event's identity is (organization_id, id): ids are unique only inside the system that made them, so nothing
one organization sends (the same ids, the same file, other content under the same ids, the same bad records)
may hold back, reject or change anything of another."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from event_factory import ping, quiz, write_lines

from dbt_runner.run import dbt_build_args, run_dbt
from ingestion.awards import ingest_awards
from ingestion.catalog import ingest_catalog_dir
from ingestion.erasure import erase_student
from ingestion.events import ingest_event_paths
from ingestion.warehouse import write_session

FIXTURE = Path(__file__).parent / "fixtures" / "e2e"
AS_OF = datetime(2024, 3, 4, 18, 0, 0)


def _other_tenant_inputs(folder: Path) -> tuple[Path, Path]:
    """Organization b: the same catalog ids with other step types, and half of a's events under the same ids."""
    catalog, events = folder / "catalog", folder / "events"
    catalog.mkdir(parents=True)
    events.mkdir(parents=True)
    for path in (FIXTURE / "catalog").iterdir():
        rows = json.loads(path.read_text())
        if path.name == "lms_class.json":
            rows = [dict(row, step_type="quiz") for row in rows]
        path_out = catalog / path.name
        path_out.write_text(json.dumps(rows))
    lines = []
    for path in sorted((FIXTURE / "events").iterdir()):
        for n, line in enumerate(path.read_text().splitlines()):
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(record, dict) or n % 2:  # b sees only half of a's activity
                continue
            # the same event ids as a, with other content (b's own step types make other signals): judged per
            # organization, so they land for b and change nothing of a
            lines.append(json.dumps(record))
    (events / "b.ndjson").write_text("\n".join(lines) + "\n")
    return catalog, events


def _build(warehouse: Path, tenants: dict[str, tuple[Path, Path]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMS_WAREHOUSE_PATH", str(warehouse))
    with write_session(warehouse) as con:
        for organization, (catalog, events) in tenants.items():
            ingest_catalog_dir(con, catalog, organization_id=organization)
            ingest_event_paths(con, [events], organization_id=organization)
    outcome = run_dbt(dbt_build_args(AS_OF))
    assert outcome.success, outcome.failures or outcome.error


def _tenant_rows(warehouse: Path, organization: str) -> dict[str, list[tuple]]:
    # read-write like dbt's own in-process handle: DuckDB refuses a second handle with another configuration
    con = duckdb.connect(str(warehouse))
    try:
        relations = [name for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main' order by 1"
        ).fetchall()]
        rows = {}
        for relation in relations:
            columns = [c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = 'main' and table_name = ?"
                " order by ordinal_position", [relation]).fetchall()]
            assert "organization_id" in columns, f"main.{relation} has no organization_id column"
            # load and batch metadata differ between two warehouses by design; everything else must not
            kept = [c for c in columns if c not in {"batch_id", "started_at", "finished_at", "duration_sec",
                                                     "sources", "created_at" if relation == "lms_event" else "",
                                                     "first_rejected_at", "last_rejected_at"}]
            select = ", ".join(f'"{c}"::varchar' for c in kept)
            rows[relation] = sorted(
                con.execute(f'select {select} from main."{relation}" where organization_id = ?', [organization])
                .fetchall(),
                key=repr,
            )
        return rows
    finally:
        con.close()


@pytest.mark.e2e
def test_two_organizations_with_the_same_ids_never_mix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tenant_a = (FIXTURE / "catalog", FIXTURE / "events")
    tenant_b = _other_tenant_inputs(tmp_path / "b_inputs")
    alone, together = tmp_path / "alone.duckdb", tmp_path / "together.duckdb"
    _build(alone, {"a": tenant_a}, monkeypatch)
    _build(together, {"a": tenant_a, "b": tenant_b}, monkeypatch)

    a_alone, a_together = _tenant_rows(alone, "a"), _tenant_rows(together, "a")
    b_together = _tenant_rows(together, "b")
    # b's data is really there and really different, so a mixing join would change a's rows
    assert b_together["v_user_progress"] and b_together["v_user_progress"] != a_together["v_user_progress"]
    assert b_together["lms_signal"] != a_together["lms_signal"]
    for relation, rows in a_alone.items():
        assert a_together[relation] == rows, f"{relation}: organization a changes when organization b is loaded"


def _landed(con: duckdb.DuckDBPyConnection, organization: str) -> list[tuple]:
    return con.execute(
        "select id, type, student_id, occurred_at, payload_json, record_number from landing.lms_events "
        "where organization_id = ? order by source_file, record_number", [organization]).fetchall()


def _rejected(con: duckdb.DuckDBPyConnection, organization: str) -> list[tuple]:
    return con.execute("select record_number, reason from landing.lms_event_rejects where organization_id = ? "
                       "order by source_file, record_number", [organization]).fetchall()


def test_the_same_file_sent_by_two_organizations_lands_twice(con, tmp_path: Path) -> None:
    path = write_lines(tmp_path / "shared.ndjson", [ping("p1"), quiz("q1"), "not json", ping("p1")])

    first = ingest_event_paths(con, [path], organization_id="a")
    second = ingest_event_paths(con, [path], organization_id="b")

    counts = (first.records_read, first.accepted, first.duplicates, first.rejected)
    assert counts == (4, 2, 1, 1)
    assert (second.records_read, second.accepted, second.duplicates, second.rejected) == counts
    assert [row[:3] for row in _landed(con, "b")] == [row[:3] for row in _landed(con, "a")] == [
        ("p1", "VIDEO_PING", "stu-1"), ("q1", "QUIZ_SUBMIT", "stu-1")]
    # each organization keeps its own reject of the same bad line
    assert _rejected(con, "a") == _rejected(con, "b") == [(3, "not valid JSON")]
    # a re-send is still a duplicate inside its own organization
    again = ingest_event_paths(con, [path], organization_id="b")
    assert (again.accepted, again.duplicates, again.rejected) == (0, 3, 1)
    assert len(_rejected(con, "b")) == 1


def test_conflicting_versions_of_one_id_in_two_organizations_both_land(con, tmp_path: Path) -> None:
    ingest_event_paths(con, [write_lines(tmp_path / "a.ndjson", [quiz("q", payload__score=5)])], organization_id="a")
    a_before = _landed(con, "a")

    # b's q has other content, and b's own file also repeats q with a third content: that one conflicts in b only
    b_file = write_lines(tmp_path / "b.ndjson", [quiz("q", payload__score=6), quiz("q", payload__score=7)])
    result = ingest_event_paths(con, [b_file], organization_id="b")

    assert (result.accepted, result.duplicates, result.rejected) == (1, 0, 1)
    assert json.loads(_landed(con, "b")[0][4])["score"] == 6
    ((number, reason),) = _rejected(con, "b")
    assert number == 2 and "organization b" in reason and "earlier in this batch" in reason
    assert _landed(con, "a") == a_before and _rejected(con, "a") == []
    # and a later conflicting copy in a is judged against a's landed q only
    late = ingest_event_paths(con, [write_lines(tmp_path / "a2.ndjson", [quiz("q", payload__score=6)])],
                              organization_id="a")
    assert (late.accepted, late.rejected) == (0, 1)
    assert "already landed for organization a" in _rejected(con, "a")[0][1]


def test_records_naming_their_own_organization_are_judged_within_it(con, tmp_path: Path) -> None:
    path = write_lines(tmp_path / "mixed.ndjson", [
        ping("x", organization_id="a", payload__position=1),
        ping("x", organization_id="b", payload__position=2),
        ping("x", organization_id="a", payload__position=1),
    ])

    result = ingest_event_paths(con, [path], organization_id="default")

    assert (result.accepted, result.duplicates, result.rejected) == (2, 1, 0)
    assert [json.loads(row[4])["position"] for row in _landed(con, "a")] == [1]
    assert [json.loads(row[4])["position"] for row in _landed(con, "b")] == [2]


def test_catalog_and_awards_of_two_organizations_with_the_same_ids_both_land(con, tmp_path: Path) -> None:
    catalog = FIXTURE / "catalog"
    awards = tmp_path / "gamification_award.json"
    awards.write_text(json.dumps([{"id": "aw-1", "badge_id": "b1", "student_id": "stu-1",
                                   "awarded_at": "2024-03-01T10:00:00Z"}, {"no": "id"}]))
    for organization in ("a", "b"):
        results = ingest_catalog_dir(con, catalog, organization_id=organization)
        assert all(r.accepted == r.records_read for r in results.per_entity.values()), organization
        award = ingest_awards(con, awards, organization_id=organization)
        assert (award.accepted, award.rejected) == (1, 1), organization
    for table in ("catalog_students", "catalog_classes", "gamification_awards"):
        per_org = dict(con.execute(f"select organization_id, count(*) from landing.{table} group by all").fetchall())
        assert per_org["a"] == per_org["b"] > 0, table
    per_org = dict(con.execute(
        "select organization_id, count(*) from landing.catalog_rejects group by all").fetchall())
    assert per_org == {"a": 1, "b": 1}


def test_forget_touches_only_its_own_organization(con, tmp_path: Path) -> None:
    for organization in ("a", "b"):
        ingest_catalog_dir(con, FIXTURE / "catalog", organization_id=organization)
        ingest_event_paths(con, [FIXTURE / "events"], organization_id=organization)
    student = con.execute("select id from landing.catalog_students order by id limit 1").fetchone()[0]
    tables = [t for (t,) in con.execute("select table_name from information_schema.tables "
                                        "where table_schema = 'landing' and table_type = 'BASE TABLE'").fetchall()]

    def snapshot(organization: str) -> dict[str, list[tuple]]:
        return {t: sorted(map(repr, con.execute(
            f"select * from landing.{t} where organization_id = ?", [organization]).fetchall())) for t in tables}

    b_before, a_before = snapshot("b"), snapshot("a")
    result = erase_student(con, student, "a")

    assert result.values_found > 0
    assert snapshot("a") != a_before
    assert snapshot("b") == b_before
