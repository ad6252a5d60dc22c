"""Catalog ingestion from a folder: whole objects land, versions append, re-ingest adds nothing."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from catalog_factory import catalog, klass, student, write_catalog

from ingestion.catalog import ingest_catalog_dir
from ingestion.errors import IngestError


def _rows(con, table: str, columns: str = "id, updated_at") -> list[tuple]:
    return con.execute(f"select {columns} from landing.{table} order by id, loaded_at, record_number").fetchall()


def test_a_catalog_folder_lands_every_entity_whole(con, tmp_path):
    data = catalog(students=3)
    folder = write_catalog(tmp_path / "cat", data)

    result = ingest_catalog_dir(con, folder, organization_id="org-a")

    assert {e: r.accepted for e, r in result.per_entity.items()} == {
        "student": 3, "instructor": 1, "course": 1, "class": 2
    }
    assert _rows(con, "catalog_students", "id, updated_at, organization_id, record_number")[0] == (
        "stu-1", datetime(2026, 1, 5, 9, 0), "org-a", 1
    )
    record = json.loads(_rows(con, "catalog_classes", "record_json")[0][0])
    assert record == data["class"][0]  # extension fields included
    kinds = con.execute("select kind, records_read, accepted from landing.ingest_batches order by kind").fetchall()
    assert kinds == [("catalog_class", 2, 2), ("catalog_course", 1, 1), ("catalog_instructor", 1, 1),
                     ("catalog_student", 3, 3)]
    assert "student read 3 = accepted 3" in result.summary()


def test_re_ingesting_the_same_catalog_adds_nothing(con, tmp_path):
    folder = write_catalog(tmp_path / "cat", catalog())
    ingest_catalog_dir(con, folder)

    again = ingest_catalog_dir(con, folder)

    assert {r.accepted for r in again.per_entity.values()} == {0}
    assert again.per_entity["student"].duplicates == 3
    assert con.execute("select count(*) from landing.catalog_students").fetchone() == (3,)


def test_a_changed_object_lands_as_a_new_version_and_key_order_does_not_count(con, tmp_path):
    folder = write_catalog(tmp_path / "cat", {"student": [student(1), student(2)]})
    ingest_catalog_dir(con, folder)
    reordered = dict(reversed(list(student(2).items())))
    write_catalog(folder, {"student": [student(1, name="Renamed", updated_at="2026-02-01T10:00:00+01:00"), reordered]})

    result = ingest_catalog_dir(con, folder).per_entity["student"]

    assert (result.accepted, result.duplicates) == (1, 1)
    assert _rows(con, "catalog_students") == [
        ("stu-1", datetime(2026, 1, 5, 9, 0)),
        ("stu-1", datetime(2026, 2, 1, 9, 0)),
        ("stu-2", datetime(2026, 1, 5, 9, 0)),
    ]


def test_bad_objects_are_rejected_once_and_counts_reconcile(con, tmp_path):
    folder = write_catalog(tmp_path / "cat", {"class": [klass(1), {"name": "no id"}, "text", klass(2, id=""),
                                                        klass(3, updated_at="soon")]})

    result = ingest_catalog_dir(con, folder).per_entity["class"]
    ingest_catalog_dir(con, folder)

    assert (result.records_read, result.accepted, result.duplicates, result.rejected) == (5, 1, 0, 4)
    reasons = con.execute(
        "select entity, record_number, reason from landing.catalog_rejects order by record_number"
    ).fetchall()
    assert reasons == [
        ("class", 2, "missing or empty id"), ("class", 3, "not a JSON object"), ("class", 4, "missing or empty id"),
        ("class", 5, "updated_at is not an ISO-8601 timestamp: 'soon'"),
    ]


def test_an_unparsable_file_is_one_reject_and_the_others_still_land(con, tmp_path):
    folder = write_catalog(tmp_path / "cat", {"student": [student(1)]})
    (folder / "lms_course.json").write_text('[{"id": "crs-1"')

    result = ingest_catalog_dir(con, folder)

    assert result.per_entity["student"].accepted == 1
    course = result.per_entity["course"]
    assert (course.records_read, course.rejected) == (1, 1)
    (row,) = con.execute("select entity, record_number, reason from landing.catalog_rejects").fetchall()
    assert row[:2] == ("course", 0) and "could not parse" in row[2]


def test_missing_files_are_skipped_with_a_note(con, tmp_path):
    folder = write_catalog(tmp_path / "cat", {"course": [{"id": "crs-1"}]})

    result = ingest_catalog_dir(con, folder)

    assert list(result.per_entity) == ["course"]
    assert any("lms_student.json" in note for note in result.notes)
    assert _rows(con, "catalog_courses") == [("crs-1", None)]


def test_a_folder_without_catalog_files_is_an_error(con, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(IngestError, match="holds none of"):
        ingest_catalog_dir(con, tmp_path / "empty")
    with pytest.raises(IngestError, match="no such folder"):
        ingest_catalog_dir(con, tmp_path / "absent")
