"""Tally FORM_RESPONSE deliveries become QUIZ_SUBMIT events, using the real example delivery."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from event_factory import landed, ping, rejects, tally_delivery, write_json, write_lines

from ingestion.conversions import pseudonym_salt
from ingestion.errors import IngestError
from ingestion.events import ingest_event_paths
from ingestion.xapi import redact_emails

IDS = {"student_id": "stu-9", "course_id": "crs-2", "class_id": "cls-5", "quiz_id": "quiz-7"}


def _seed(tmp_path: Path, rows: str = "quiz-7,20,12\n") -> Path:
    path = tmp_path / "quiz_catalog.csv"
    path.write_text("quiz_id,max_score,pass_score\n" + rows)
    return path


def test_the_example_delivery_with_marks_in_the_form_lands_as_a_quiz_submit(con, tmp_path, shared_dir):
    delivery = tally_delivery(shared_dir, {**IDS, "max_score": "25", "pass_score": "15"}, score=20)
    path = write_json(tmp_path / "tally.json", delivery)

    result = ingest_event_paths(con, [path], quiz_catalog=_seed(tmp_path, ""))

    assert (result.accepted, result.rejected) == (1, 0)
    row = landed(con, "id, type, student_id, course_id, class_id, occurred_at, payload_json, raw_json")[0]
    assert row[:6] == ("a4cb511e-d513-4fa5-baee-b815d718dfd1", "QUIZ_SUBMIT", "stu-9", "crs-2", "cls-5",
                       datetime(2023, 6, 28, 15, 0, 21))
    assert json.loads(row[6]) == {
        "quiz_id": "quiz-7", "score": 20, "max_score": 25, "passed": True, "pass_score": 15,
        "form_id": "VwbNEw", "response_id": "2wgx4n",
    }
    assert json.loads(row[7]) == delivery  # the whole delivery, as received


def test_marks_come_from_the_seed_when_the_form_does_not_send_them(con, tmp_path, shared_dir):
    lines = [
        tally_delivery(shared_dir, IDS, score=11, event_id="t-fail"),
        tally_delivery(shared_dir, IDS, score=12, event_id="t-pass"),
        ping("a-ping"),
    ]
    path = write_lines(tmp_path / "mixed.ndjson", lines)

    result = ingest_event_paths(con, [path], quiz_catalog=_seed(tmp_path))

    assert (result.accepted, result.rejected) == (3, 0)
    payloads = {row[0]: json.loads(row[1]) for row in landed(con, "id, payload_json")}
    assert payloads["t-fail"]["passed"] is False
    assert payloads["t-pass"]["passed"] is True
    assert (payloads["t-pass"]["max_score"], payloads["t-pass"]["pass_score"]) == (20, 12)
    assert landed(con, "id, record_number") == [("t-fail", 1), ("t-pass", 2), ("a-ping", 3)]


def test_labels_match_case_insensitively_and_trimmed(con, tmp_path, shared_dir):
    hidden = {" Student_ID ": "stu-1", "CLASS_ID": "cls-1", "Quiz_Id": "quiz-7", "PASS_SCORE ": 10, "max_score": 20}
    path = write_json(tmp_path / "t.json", tally_delivery(shared_dir, hidden, score=10))

    assert ingest_event_paths(con, [path], quiz_catalog=_seed(tmp_path, "")).accepted == 1


def test_a_redelivered_webhook_is_a_duplicate(con, tmp_path, shared_dir):
    delivery = tally_delivery(shared_dir, IDS)
    path = write_lines(tmp_path / "t.ndjson", [delivery, delivery])

    result = ingest_event_paths(con, [path], quiz_catalog=_seed(tmp_path))

    assert (result.accepted, result.duplicates) == (1, 1)


TALLY_REJECTS = [
    ("no student", {k: v for k, v in IDS.items() if k != "student_id"}, 20, "without a student_id"),
    ("no class", {k: v for k, v in IDS.items() if k != "class_id"}, 20, "without a class_id"),
    ("unknown quiz", {**IDS, "quiz_id": "quiz-unknown"}, 20, "has no pass mark"),
    ("no quiz at all", {k: v for k, v in IDS.items() if k != "quiz_id"}, 20, "has no pass mark"),
    ("text score", IDS, "twenty", "without a numeric score"),
    ("missing score", IDS, None, "without a numeric score"),
    ("score above max", IDS, 21, "score is greater than max_score"),
]


@pytest.mark.parametrize(("hidden", "score", "reason"), [r[1:] for r in TALLY_REJECTS],
                         ids=[r[0] for r in TALLY_REJECTS])
def test_unusable_deliveries_are_rejected_with_a_reason(con, tmp_path, shared_dir, hidden, score, reason):
    delivery = tally_delivery(shared_dir, hidden, score=score)
    path = write_lines(tmp_path / "t.ndjson", [ping("ok"), delivery])

    result = ingest_event_paths(con, [path], quiz_catalog=_seed(tmp_path))

    assert (result.accepted, result.rejected) == (1, 1)
    ((number, raw, why),) = rejects(con, "record_number, raw_text, reason")
    # The example's e-mail answer is hashed in the rejects relation; the rest is kept as received.
    assert number == 2 and json.loads(raw) == json.loads(redact_emails(json.dumps(delivery), pseudonym_salt()))
    assert "alice@example.com" not in raw and "alice@example.com" in json.dumps(delivery)
    assert reason in why


def test_other_tally_event_types_are_rejected(con, tmp_path, shared_dir):
    delivery = {**tally_delivery(shared_dir, IDS), "eventType": "FORM_VIEW"}
    path = write_lines(tmp_path / "t.ndjson", [delivery])

    ingest_event_paths(con, [path], quiz_catalog=_seed(tmp_path))

    assert "only FORM_RESPONSE" in rejects(con)[0][1]


def test_a_named_quiz_catalog_that_does_not_exist_is_an_error(con, tmp_path, shared_dir):
    path = write_lines(tmp_path / "t.ndjson", [tally_delivery(shared_dir, IDS)])

    with pytest.raises(IngestError, match="quiz catalog not found"):
        ingest_event_paths(con, [path], quiz_catalog=tmp_path / "missing.csv")
