"""xAPI statements and Open edX tracking events through `ingest events`: detected by shape, landed or
rejected with a reason, counts reconciled; the real FUN-MOOC statements and the 81 real Open edX events."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from event_factory import landed, ping, rejects, write_json, write_lines

from ingestion.conversions import pseudonym_salt
from ingestion.events import ingest_event_paths, ingest_event_texts
from ingestion.xapi import email_pseudonym

VIDEO = "https://w3id.org/xapi/video/"
ADL = "http://adlnet.gov/expapi/verbs/"
XAPI_FILE = Path("data") / "xapi" / "fun_mooc_video_statements.ndjson.gz"
TYPE_BY_VERB = {
    "played": "VIDEO_PLAYED", "paused": "VIDEO_PAUSED", "interacted": "VIDEO_INTERACTED",
    "seeked": "VIDEO_SEEKED", "initialized": "VIDEO_INITIALIZED", "completed": "VIDEO_ENDED",
    "terminated": "VIDEO_TERMINATED", "downloaded": "XAPI_DOWNLOADED",
}


def statement(statement_id: str = "st-1", **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": statement_id,
        "actor": {"objectType": "Agent", "account": {"name": "learner-1", "homePage": "http://lms.example"}},
        "verb": {"id": f"{VIDEO}verbs/paused"},
        "object": {"id": "uuid://video-1", "definition": {"type": f"{VIDEO}activity-type/video"}},
        "result": {"extensions": {f"{VIDEO}extensions/time": 42.5,
                                  f"{VIDEO}extensions/played-segments": "0[.]42.5"}},
        "context": {"extensions": {f"{VIDEO}extensions/session-id": "s-1", f"{VIDEO}extensions/length": 100}},
        "timestamp": "2024-03-01T10:00:00+01:00",
        "stored": "2024-03-01T09:00:01Z",
    }
    record.update(changes)
    return record


# --- the real data ---------------------------------------------------------------------------------


def test_all_22000_real_statements_are_accepted_or_rejected_and_verbs_match(con, shared_dir):
    path = shared_dir / XAPI_FILE
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        verbs = Counter(json.loads(line)["verb"]["id"].rsplit("/", 1)[-1] for line in handle if line.strip())

    result = ingest_event_paths(con, [path])

    assert result.records_read == 22000
    assert result.records_read == result.accepted + result.duplicates + result.rejected
    (rejected_rows, blank_reasons) = con.execute(
        "select count(*), count(*) filter (where coalesce(trim(reason), '') = '') from landing.lms_event_rejects"
    ).fetchone()
    assert (rejected_rows, blank_reasons) == (result.rejected, 0)
    types = Counter(dict(con.execute("select type, count(*) from landing.lms_events group by 1").fetchall()))
    # Every statement id is distinct in the file, so each verb's statements are landed or rejected.
    assert result.duplicates == 0
    rejected_verbs = Counter(
        json.loads(raw)["verb"]["id"].rsplit("/", 1)[-1] for (raw,) in rejects(con, "raw_text")
    )
    assert {verb: types[TYPE_BY_VERB[verb]] + rejected_verbs[verb] for verb in verbs} == dict(verbs)
    assert sum(verbs.values()) == 22000

    again = ingest_event_paths(con, [path])
    assert (again.accepted, again.duplicates, again.rejected) == (0, result.accepted, result.rejected)
    assert con.execute("select count(*) from landing.lms_event_rejects").fetchone()[0] == result.rejected


def test_real_statements_keep_video_fields_and_the_statement_as_raw(con, shared_dir):
    ingest_event_paths(con, [shared_dir / XAPI_FILE])
    ((payload, context, raw),) = con.execute(
        "select payload_json, context_json, raw_json from landing.lms_events "
        "where id = '9dc99b37-e920-4a68-a066-917faca28949'"
    ).fetchall()
    assert json.loads(payload) == {
        "video_id": "uuid://7d4f3c70-1e79-4243-9b7d-166076ce8bfb", "time_from": 124.692, "time_to": 176.4,
        "length": 263.24, "progress": 0.472, "played_segments": "0[.]42.608[,]43.168[.]124.692[,]176.4",
        "position": 176.4, "session_id": "abb32c5b-ab8f-5f00-9718-267b6e6ba727",
    }
    assert json.loads(context)["source"] == "xapi"
    assert json.loads(raw)["id"] == "9dc99b37-e920-4a68-a066-917faca28949"


def _openedx_files(shared_dir: Path) -> list[Path]:
    return sorted((shared_dir / "data" / "openedx" / "events").glob("*.json"))


def test_the_81_real_open_edx_events_land_and_agree_with_open_edx_xapi(con, shared_dir):
    folder = shared_dir / "data" / "openedx" / "events"
    assert len(_openedx_files(shared_dir)) == 81

    result = ingest_event_paths(con, [folder])

    assert (result.records_read, result.accepted, result.duplicates, result.rejected) == (81, 80, 0, 1)
    ((source, reason),) = rejects(con, "source_file, reason")
    assert Path(source).name == "edx.ui.lms.link_clicked(anonymous_user).json" and "anonymous" in reason
    rows = con.execute(
        "select source_file, type, class_id, payload_json from landing.lms_events "
        "where type like 'VIDEO_%' or type in ('QUIZ_SUBMIT', 'OPENEDX_PROBLEM_CHECK_UNGRADED') order by source_file"
    ).fetchall()
    compared = 0
    for source, event_type, class_id, payload_json in rows:
        expected = _expected(shared_dir, Path(source).name, class_id)
        if expected is None:
            continue
        compared += 1
        payload = json.loads(payload_json)
        result_part = expected.get("result") or {}
        extensions = result_part.get("extensions") or {}
        context = (expected.get("context") or {}).get("extensions") or {}
        if event_type != "VIDEO_" + event_type.removeprefix("VIDEO_"):
            assert payload["score"] == pytest.approx(result_part["score"]["raw"]), source
            assert payload["max_score"] == pytest.approx(result_part["score"]["max"]), source
            assert payload["passed"] is result_part["success"], source
            continue
        for key, ours in (("time", "position"), ("time-from", "time_from"), ("time-to", "time_to")):
            if VIDEO + "extensions/" + key in extensions:
                assert round(payload[ours], 3) == pytest.approx(extensions[VIDEO + "extensions/" + key]), source
        if VIDEO + "extensions/length" in context:
            assert payload["length"] == pytest.approx(context[VIDEO + "extensions/length"]), source
    assert compared == 17


def _expected(shared_dir: Path, name: str, class_id: str) -> dict[str, Any] | None:
    path = shared_dir / "data" / "openedx" / "xapi_expected" / name
    if not path.is_file():
        return None
    document = json.loads(path.read_text(encoding="utf-8"))
    statements = document if isinstance(document, list) else [document]
    return next((s for s in statements if s["object"].get("id", "").endswith("/" + class_id)), None)


# --- shapes ----------------------------------------------------------------------------------------


def test_single_statement_array_lines_and_gzip_all_land_and_dedupe_by_id(con, tmp_path):
    write_json(tmp_path / "one.json", statement("st-1"))
    write_json(tmp_path / "many.json.gz", [statement("st-2"), statement("st-3")], compress=True)
    write_lines(tmp_path / "lines.ndjson", [statement("st-4"), statement("st-1"), ping("p-1")])
    write_lines(tmp_path / "lines2.jsonl.gz", [statement("st-5")], compress=True)

    result = ingest_event_paths(con, [tmp_path])

    assert (result.records_read, result.accepted, result.duplicates, result.rejected) == (7, 6, 1, 0)
    rows = dict(landed(con, "id, type"))
    assert rows == {"st-1": "VIDEO_PAUSED", "st-2": "VIDEO_PAUSED", "st-3": "VIDEO_PAUSED",
                    "st-4": "VIDEO_PAUSED", "st-5": "VIDEO_PAUSED", "p-1": "VIDEO_PING"}
    ((occurred, student),) = con.execute(
        "select occurred_at::varchar, student_id from landing.lms_events where id = 'st-1'").fetchall()
    assert (occurred, student) == ("2024-03-01 09:00:00", "learner-1")


def test_invalid_statements_are_rejected_with_a_reason_and_their_emails_hashed(con, tmp_path):
    mbox_actor = {"objectType": "Agent", "mbox": "mailto:Ada.Lovelace@example.org"}
    records = [
        statement("bad-1", actor=mbox_actor, verb={"display": {"en": "no id"}}),
        statement("bad-2", actor={"objectType": "Agent", "name": "nobody"}),
        statement("bad-3", object={"definition": {}}),
        statement("bad-4", timestamp="yesterday", stored=None),
        statement("bad-5", actor=None),
        statement("ok-1", actor=mbox_actor),
    ]
    path = write_lines(tmp_path / "x.ndjson", records)

    result = ingest_event_paths(con, [path])

    assert (result.records_read, result.accepted, result.rejected) == (6, 1, 5)
    reasons = [reason for _, reason in rejects(con)]
    assert ["verb" in reasons[0], "identity" in reasons[1], "object" in reasons[2], "timestamp" in reasons[3],
            "no actor" in reasons[4]] == [True] * 5
    texts = " ".join(raw for (raw,) in rejects(con, "raw_text"))
    assert "Lovelace" not in texts and "example.org" not in texts
    assert email_pseudonym("ada.lovelace@example.org", pseudonym_salt()) in texts
    ((student,),) = con.execute("select student_id from landing.lms_events").fetchall()
    assert student == email_pseudonym("Ada.Lovelace@example.org", pseudonym_salt()) and "@" not in student


def test_organization_is_the_records_own_else_the_command_line(con, tmp_path):
    path = write_lines(tmp_path / "x.ndjson", [statement("st-1", organization_id="org-a"), statement("st-2")])
    ingest_event_paths(con, [path], organization_id="org-cli")
    assert dict(landed(con, "id, organization_id")) == {"st-1": "org-a", "st-2": "org-cli"}


TRACKING = {
    "username": "ada",
    "event_type": "play_video",
    "event_source": "browser",
    "time": "2023-09-08T15:58:04.833393+00:00",
    "context": {"user_id": 8, "course_id": "course-v1:edX+DemoX+Demo_Course"},
}


def test_raw_tracking_log_lines_behind_a_prefix_with_event_as_text_query_or_object(con, tmp_path):
    play = TRACKING | {"event": json.dumps({"id": "abc", "currentTime": 3, "duration": 60})}
    pause = TRACKING | {"event_type": "pause_video", "event": {"id": "abc", "currentTime": 9, "duration": 60}}
    browser_check = TRACKING | {"event_type": "problem_check", "event": "input_" + "f" * 32 + "_2_1=choice_1"}
    lines = [
        "2023-09-08 15:58:04,833 INFO 12 [tracking] logger.py:41 - " + json.dumps(play),
        json.dumps(pause),
        "2023-09-08 15:58:05,000 INFO 12 [tracking] - " + json.dumps(browser_check),
        "2023-09-08 15:58:06,000 INFO 12 [tracking] - {truncated",
    ]
    path = write_lines(tmp_path / "tracking.log", lines)

    result = ingest_event_paths(con, [path])

    assert (result.records_read, result.accepted, result.rejected) == (4, 3, 1)
    rows = landed(con, "type, student_id, payload_json")
    assert [r[0] for r in rows] == ["VIDEO_PLAYED", "VIDEO_PAUSED", "OPENEDX_PROBLEM_CHECK_BROWSER"]
    assert json.loads(rows[1][2])["position"] == 9 and rows[0][1] == "openedx-user:8"
    assert rejects(con) == [(4, "not valid JSON")]


def test_statements_received_in_memory_land_with_their_source(con):
    texts = [json.dumps(statement("st-1")), json.dumps(statement("st-1")), "{oops"]
    result = ingest_event_texts(con, texts, source="https://lrs.example/xapi/statements")
    assert (result.records_read, result.accepted, result.duplicates, result.rejected) == (3, 1, 1, 1)
    assert landed(con, "source_file, record_number") == [("https://lrs.example/xapi/statements", 1)]
    assert rejects(con, "source_file, record_number") == [("https://lrs.example/xapi/statements", 3)]
