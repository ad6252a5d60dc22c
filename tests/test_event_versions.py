"""Event versions: a missing version is 1, a version newer than `lms_event_current_version` is quarantined
with a reason (and lands once the warehouse knows it), staging upcasts older versions in one place."""

from __future__ import annotations

from event_factory import landed, ping, rejects, write_lines

from ingestion.event_versions import current_event_version
from ingestion.events import ingest_event_paths


def test_the_current_version_is_the_dbt_var() -> None:
    assert current_event_version() == 1


def test_a_future_version_is_quarantined_with_a_reason(con, tmp_path) -> None:
    future = current_event_version() + 1
    path = write_lines(tmp_path / "e.ndjson", [ping("old"), ping("same", version=1), ping("new", version=future)])

    result = ingest_event_paths(con, [path])

    assert (result.records_read, result.accepted, result.rejected) == (3, 2, 1)
    assert landed(con, "id, version") == [("old", 1), ("same", 1)]
    assert rejects(con) == [(3, f"version {future} is newer than the newest this warehouse knows (1): "
                               "re-ingest the file after upgrading")]


def test_a_quarantined_version_lands_after_the_upgrade(con, tmp_path, monkeypatch) -> None:
    path = write_lines(tmp_path / "e.ndjson", [ping("new", version=2)])
    assert ingest_event_paths(con, [path]).rejected == 1

    monkeypatch.setattr("ingestion.events.current_event_version", lambda: 2)
    result = ingest_event_paths(con, [path])

    assert (result.accepted, result.rejected) == (1, 0)
    assert landed(con, "id, version") == [("new", 2)]
