"""Event ingestion: formats, validation, duplicates, idempotency and batch accounting, on a real DuckDB file."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import subprocess
import sys
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from event_factory import (
    DROP,
    batches,
    landed,
    ping,
    quiz,
    rejects,
    write_json,
    write_lines,
    write_parquet,
)

from ingestion import events as events_module
from ingestion import project_vars
from ingestion.errors import IngestError
from ingestion.events import ingest_event_paths
from ingestion.nesting import max_nesting_depth
from ingestion.text_stream import max_record_bytes


def ingest(con: duckdb.DuckDBPyConnection, *paths: Path, **kwargs: Any):
    return ingest_event_paths(con, list(paths), **kwargs)


# --- formats -----------------------------------------------------------------------------------------

def _write(kind: str, folder: Path, events: list[dict]) -> Path:
    writers = {
        "ndjson": lambda: write_lines(folder / "e.ndjson", events),
        "jsonl": lambda: write_lines(folder / "e.jsonl", events),
        "ndjson.gz": lambda: write_lines(folder / "e.ndjson.gz", events, compress=True),
        "jsonl.gz": lambda: write_lines(folder / "e.jsonl.gz", events, compress=True),
        "json array": lambda: write_json(folder / "e.json", events),
        "json.gz array": lambda: write_json(folder / "e.json.gz", events, compress=True),
        "parquet": lambda: write_parquet(folder / "e.parquet", events),
    }
    return writers[kind]()


@pytest.mark.parametrize(
    "kind", ["ndjson", "jsonl", "ndjson.gz", "jsonl.gz", "json array", "json.gz array", "parquet"]
)
def test_every_format_lands_its_records_with_positions(con, tmp_path, kind):
    path = _write(kind, tmp_path, [ping("a"), quiz("b"), ping("c", payload__position=45.5)])

    result = ingest(con, path)

    assert (result.records_read, result.accepted, result.rejected) == (3, 3, 0)
    assert landed(con, "id, record_number, source_file") == [
        ("a", 1, str(path)), ("b", 2, str(path)), ("c", 3, str(path))
    ]
    payload = json.loads(landed(con, "payload_json")[2][0])
    assert payload["position"] == 45.5


@pytest.mark.parametrize("compress", [False, True])
def test_a_json_file_may_hold_a_single_object(con, tmp_path, compress):
    path = write_json(tmp_path / ("one.json.gz" if compress else "one.json"), quiz("solo"), compress=compress)

    result = ingest(con, path)

    assert result.accepted == 1
    assert landed(con, "id, record_number") == [("solo", 1)]


def test_json_array_elements_are_numbered_and_bad_elements_rejected(con, tmp_path):
    path = write_json(tmp_path / "arr.json", [ping("a"), 5, ["x"], ping("b")])

    result = ingest(con, path)

    assert (result.accepted, result.rejected) == (2, 2)
    assert landed(con, "id, record_number") == [("a", 1), ("b", 4)]
    assert rejects(con) == [(2, "not a JSON object (got a number)"), (3, "not a JSON object (got an array)")]


def _numbered_lines(file_tag: str, count: int) -> str:
    """`count` lines of uneven length whose id names their line number; some blank, some not JSON."""
    lines = []
    for number in range(1, count + 1):
        if number % 7919 == 0:
            lines.append("")
        elif number % 10007 == 0:
            lines.append(f"not json {file_tag}:{number}")
        else:
            lines.append(json.dumps(ping(f"{file_tag}:{number}", context={"pad": "x" * (number % 97)})))
    return "\n".join(lines) + "\n"


def test_record_numbers_of_large_files_read_in_parallel_are_their_line_numbers(con, tmp_path):
    # ~40 MB each: DuckDB's CSV reader splits such a file between threads, which must not reorder records
    first, second = tmp_path / "a.ndjson", tmp_path / "b.ndjson"
    first.write_text(_numbered_lines("a", 180_000))
    second.write_text(_numbered_lines("b", 170_000))

    result = ingest(con, first, second)

    assert result.rejected == 17 + 16
    assert result.accepted == 350_000 - result.rejected - 22 - 21
    misplaced = con.execute("""
        select count(*) filter (where split_part(id, ':', 2)::bigint <> record_number
                                   or source_file not like '%/' || split_part(id, ':', 1) || '.ndjson'),
               count(*)
        from landing.lms_events
    """).fetchone()
    assert misplaced == (0, result.accepted)
    reject_numbers = con.execute(
        "select record_number, raw_text from landing.lms_event_rejects order by source_file, record_number"
    ).fetchall()
    assert all(raw.endswith(f":{number}") for number, raw in reject_numbers)
    assert len(reject_numbers) == result.rejected


def test_folders_are_read_recursively_in_sorted_order_and_other_files_skipped(con, tmp_path):
    folder = tmp_path / "in"
    write_lines(folder / "b" / "later.ndjson", [ping("from-b")])
    write_lines(folder / "a" / "deep" / "first.jsonl", [ping("from-a")])
    (folder / "a" / "notes.txt").write_text("not events")
    (folder / "README.md").write_text("# no")
    messages: list[str] = []

    result = ingest(con, folder, progress=messages.append)

    assert result.accepted == 2
    assert [row[0] for row in landed(con, "id")] == ["from-a", "from-b"]
    assert result.sources == (str(folder / "a/deep/first.jsonl"), str(folder / "b/later.ndjson"))
    assert any("skipped 2" in m for m in messages)


def test_parquet_with_the_landing_columns_and_a_struct_payload(con, tmp_path):
    path = tmp_path / "export.parquet"
    duckdb.execute(
        "copy (select 'pq1' as id, 'VIDEO_PING' as type, 's1' as student_id, null::varchar as course_id, "
        "timestamp '2026-03-02 10:00:00' as occurred_at, {'video_id': 'v', 'position': 5, 'duration': 60} as payload, "
        "'{\"device\": \"tablet\"}' as context_json, 1 as version, 'acme' as organization_id "
        "union all select 'pq2', 'VIDEO_PING', 's1', null, timestamp '2026-03-02 10:00:10', "
        "{'video_id': 'v', 'position': -5, 'duration': 60}, null, 1, 'acme') to '" + str(path) + "' (format parquet)"
    )

    result = ingest(con, path)

    assert (result.accepted, result.rejected) == (1, 1)
    assert landed(con, "id, occurred_at, context_json, version, organization_id, record_number") == [
        ("pq1", datetime(2026, 3, 2, 10, 0), '{"device":"tablet"}', 1, "acme", 1)
    ]
    assert rejects(con) == [(2, "VIDEO_PING position and duration must not be negative")]


def test_payload_given_as_json_text_is_accepted(con, tmp_path):
    event = ping("pj", payload=DROP)
    event["payload_json"] = json.dumps({"video_id": "v", "position": "12", "duration": "600"})
    path = write_lines(tmp_path / "e.ndjson", [event])

    assert ingest(con, path).accepted == 1
    assert json.loads(landed(con, "payload_json")[0][0]) == {"video_id": "v", "position": "12", "duration": "600"}


def test_numbers_pass_through_unchanged_and_numeric_strings_count(con, tmp_path):
    path = write_lines(tmp_path / "e.ndjson", [
        quiz("q1", payload__score=89.9, payload__max_score=90),
        quiz("q2", payload__score="10", payload__max_score="10.0", payload__passed="TRUE"),
        ping("p1", payload__position="0", payload__duration="1.5"),
    ])

    result = ingest(con, path)

    assert (result.accepted, result.rejected) == (3, 0)
    first = landed(con, "payload_json")[0][0]
    assert '"score":89.9' in first and '"max_score":90' in first


def test_unknown_event_types_are_kept_without_payload_checks(con, tmp_path):
    event = ping("x1", type="PAGE_VIEW", payload={"anything": [1, {"goes": True}]})
    path = write_lines(tmp_path / "e.ndjson", [event])

    assert ingest(con, path).accepted == 1
    assert landed(con, "type, payload_json") == [("PAGE_VIEW", '{"anything":[1,{"goes":true}]}')]


def test_occurred_at_without_offset_is_utc_and_offsets_are_converted(con, tmp_path):
    path = write_lines(tmp_path / "e.ndjson", [
        ping("naive", occurred_at="2026-03-02T10:00:00"),
        ping("plus2", occurred_at="2026-03-02T10:00:00+02:00"),
        ping("zulu", occurred_at="2026-03-02T10:00:00.250Z"),
    ])
    con.execute("set TimeZone = 'America/New_York'")  # the caller's session zone must not matter

    ingest(con, path)

    assert landed(con, "id, occurred_at") == [
        ("naive", datetime(2026, 3, 2, 10, 0)),
        ("plus2", datetime(2026, 3, 2, 8, 0)),
        ("zulu", datetime(2026, 3, 2, 10, 0, 0, 250000)),
    ]
    assert con.execute("select current_setting('TimeZone')").fetchone()[0] == "America/New_York"


def test_ids_given_as_numbers_are_stored_as_text(con, tmp_path):
    path = write_lines(tmp_path / "e.ndjson", [ping(123, student_id=42, course_id=7, class_id=8)])

    ingest(con, path)

    assert landed(con, "id, student_id, course_id, class_id") == [("123", "42", "7", "8")]


def test_defaults_version_and_organization_and_keeps_the_records_own(con, tmp_path):
    path = write_lines(tmp_path / "e.ndjson", [ping("d"), ping("o", organization_id="acme", version="1")])

    ingest(con, path, organization_id="tenant-x")

    assert landed(con, "id, version, organization_id") == [("d", 1, "tenant-x"), ("o", 1, "acme")]


def test_raw_json_is_the_line_as_received(con, tmp_path):
    text = '{"type": "VIDEO_PING",  "id": "r1", "student_id": "s", "occurred_at": "2026-03-02T10:00:00Z", ' \
           '"payload": {"duration": 10, "position": 1}}'
    path = write_lines(tmp_path / "e.ndjson", [text])

    ingest(con, path)

    assert landed(con, "raw_json") == [(text,)]


# --- rejects -----------------------------------------------------------------------------------------

REJECTS = [
    ("not json", "{not json", "not valid JSON"),
    ("array", "[1, 2]", "not a JSON object"),
    ("string", '"hello"', "not a JSON object"),
    ("missing id", ping("i", id=DROP), "missing or empty id"),
    ("empty id", ping(""), "missing or empty id"),
    ("blank id", ping("   "), "missing or empty id"),
    ("missing type", ping("t", type=DROP), "missing or empty type"),
    ("empty type", ping("t", type=""), "missing or empty type"),
    ("missing student", ping("s", student_id=DROP), "missing or empty student_id"),
    ("null student", ping("s", student_id=None), "missing or empty student_id"),
    ("missing occurred_at", ping("o", occurred_at=DROP), "missing or empty occurred_at"),
    ("empty occurred_at", ping("o", occurred_at=""), "missing or empty occurred_at"),
    ("bad occurred_at", ping("o", occurred_at="yesterday"), "occurred_at is not an ISO-8601 timestamp"),
    ("bad date", ping("o", occurred_at="2026-13-45T10:00:00Z"), "occurred_at is not an ISO-8601 timestamp"),
    ("epoch occurred_at", ping("o", occurred_at=1767225600), "occurred_at is not an ISO-8601 timestamp"),
    ("year 0001", ping("o", occurred_at="0001-01-01T00:00:00Z"), "outside the plausible window"),
    ("year 1999", ping("o", occurred_at="1999-12-31T23:59:59Z"), "outside the plausible window"),
    ("year 9999", ping("o", occurred_at="9999-12-31T00:00:00Z"), "outside the plausible window"),
    ("two days ahead", ping("o", occurred_at=(datetime.now(UTC) + timedelta(days=2)).isoformat()),
     "outside the plausible window"),
    ("offset +99:00", ping("o", occurred_at="2026-03-02T10:00:00+99:00"), "UTC offset beyond +-18:00"),
    ("offset -18:01", ping("o", occurred_at="2026-03-02T10:00:00-18:01"), "UTC offset beyond +-18:00"),
    ("ping no position", ping("p", payload__position=DROP), "needs numeric position and duration"),
    ("ping text position", ping("p", payload__position="abc"), "needs numeric position and duration"),
    ("ping NaN position", ping("p", payload__position="NaN"), "needs numeric position and duration"),
    ("ping Infinity", ping("p", payload__duration="Infinity"), "needs numeric position and duration"),
    ("ping bool duration", ping("p", payload__duration=True), "needs numeric position and duration"),
    ("ping no payload", ping("p", payload=DROP), "needs numeric position and duration"),
    ("ping negative", ping("p", payload__position=-1), "must not be negative"),
    ("ping negative duration", ping("p", payload__duration=-5), "must not be negative"),
    ("ping zero duration", ping("p", payload__duration=0), "duration must be greater than 0"),
    ("quiz no score", quiz("q", payload__score=DROP), "needs numeric score and max_score"),
    ("quiz text max", quiz("q", payload__max_score="ten"), "needs numeric score and max_score"),
    ("quiz negative", quiz("q", payload__score=-1), "score must not be negative"),
    ("quiz over max", quiz("q", payload__score=11), "score is greater than max_score"),
    ("quiz no passed", quiz("q", payload__passed=DROP), "needs passed as a boolean"),
    ("quiz passed yes", quiz("q", payload__passed="yes"), "needs passed as a boolean"),
    ("quiz passed 1", quiz("q", payload__passed=1), "needs passed as a boolean"),
    ("payload not object", ping("p", payload=[1, 2]), "payload is not a JSON object"),
    ("payload string", ping("p", payload="{}"), "payload is not a JSON object"),
    ("payload_json bad", {**ping("p", payload=DROP), "payload_json": "{oops"}, "payload_json is not a JSON object"),
    ("payload_json array", {**ping("p", payload=DROP), "payload_json": "[1]"}, "payload_json is not a JSON object"),
    ("context not object", ping("c", context="web"), "context is not a JSON object"),
    ("version zero", ping("v", version=0), "version must be a positive integer"),
    ("version fraction", ping("v", version=1.5), "version must be a positive integer"),
    ("version text", ping("v", version="one"), "version must be a positive integer"),
    ("version beyond INT32", ping("v", version=3_000_000_000), "version must be a positive integer"),
    ("student_id object", ping("s", student_id={"id": 1}), "student_id must be a JSON string or integer (got an obj"),
    ("student_id array", ping("s", student_id=["a"]), "student_id must be a JSON string or integer (got an array)"),
    ("student_id boolean", ping("s", student_id=True), "student_id must be a JSON string or integer (got a boolean)"),
    ("student_id float", ping("s", student_id=1.5), "student_id must be a JSON string or integer (got a number"),
    ("id object", ping({"x": 1}), "id must be a JSON string or integer (got an object)"),
    ("type number", ping("t", type=7), "type must be a JSON string (got a number"),
    ("class_id boolean", ping("c", class_id=False), "class_id must be a JSON string or integer (got a boolean)"),
    ("course_id array", ping("c", course_id=[]), "course_id must be a JSON string or integer (got an array)"),
    ("organization_id object", ping("o", organization_id={}), "organization_id must be a JSON string or integer"),
    ("duplicate key", '{"id": "d", "type": "X", "student_id": "s", "student_id": "t", '
     '"occurred_at": "2026-03-02T10:00:00Z"}', 'duplicate key "student_id" in the record'),
    ("duplicate payload key", '{"id": "d", "type": "VIDEO_PING", "student_id": "s", "occurred_at": '
     '"2026-03-02T10:00:00Z", "payload": {"position": 50, "duration": 100, "position": -50}}',
     'duplicate key "position" in the payload'),
    ("version huge", ping("v", version=1e300), "version must be a positive integer"),
]


@pytest.mark.parametrize(("record", "reason"), [r[1:] for r in REJECTS], ids=[r[0] for r in REJECTS])
def test_each_bad_record_is_rejected_with_its_reason_and_the_batch_goes_on(con, tmp_path, record, reason):
    path = write_lines(tmp_path / "e.ndjson", [ping("good-1"), record, ping("good-2")])
    raw = record if isinstance(record, str) else json.dumps(record)

    result = ingest(con, path)

    assert (result.records_read, result.accepted, result.duplicates, result.rejected) == (3, 2, 0, 1)
    (row,) = rejects(con, "source_file, record_number, raw_text, reason")
    assert row[:3] == (str(path), 2, raw)
    assert reason in row[3]
    assert [r[0] for r in landed(con)] == ["good-1", "good-2"]


def test_invalid_utf8_and_control_characters_do_not_stop_the_file(con, tmp_path):
    path = tmp_path / "odd.ndjson"
    good = json.dumps(ping("ok")).encode()
    path.write_bytes(good + b"\n" + b'{"id": "\xff\xfe"}\n' + b'"a\x01b"\n' + json.dumps(ping("ok2")).encode() + b"\n")

    result = ingest(con, path)

    assert (result.accepted, result.rejected) == (2, 2)
    assert rejects(con) == [(2, "not valid UTF-8 text"), (3, "not valid JSON")]
    assert landed(con, "id, record_number") == [("ok", 1), ("ok2", 4)]


def test_blank_lines_are_skipped_and_not_counted(con, tmp_path):
    path = tmp_path / "gaps.ndjson"
    path.write_text(f"\n{json.dumps(ping('a'))}\n   \n\n{json.dumps(ping('b'))}\r\n\n")

    result = ingest(con, path)

    assert (result.records_read, result.accepted, result.rejected) == (2, 2, 0)
    assert landed(con, "id, record_number") == [("a", 2), ("b", 5)]


def test_a_truncated_gzip_lands_every_complete_record_before_the_cut(con, tmp_path):
    folder = tmp_path / "in"
    good = write_lines(folder / "a_good.ndjson", [ping("fine")])
    lines = [json.dumps(ping(f"z{i:03d}")) + "\n" for i in range(200)]
    whole = gzip.compress("".join(lines).encode())
    broken = folder / "b_broken.ndjson.gz"
    broken.write_bytes(whole[: len(whole) // 2])
    with gzip.open(broken, "rb") as handle:  # what a reader recovers before the cut
        recovered = b""
        with contextlib.suppress(EOFError):
            while chunk := handle.read(1):
                recovered += chunk
    complete = recovered.count(b"\n")
    (folder / "c_bad.parquet").write_bytes(b"PAR1 this is not parquet")

    result = ingest(con, folder)
    again = ingest(con, folder)

    assert 0 < complete < 200
    assert [i for (i,) in landed(con)] == ["fine"] + [f"z{i:03d}" for i in range(complete)]
    rows = rejects(con, "source_file, record_number, raw_text, reason")
    assert [(r[0], r[1]) for r in rows] == [(str(broken), complete + 1), (str(folder / "c_bad.parquet"), 0)]
    assert "truncated gzip" in rows[0][3] and "cut short" in rows[0][3]
    assert rows[0][2] == recovered.split(b"\n")[-1].decode()  # the cut record's text so far
    assert (result.records_read, result.accepted, result.rejected) == (complete + 3, complete + 1, 2)
    assert (again.accepted, again.duplicates, again.rejected, len(rejects(con))) == (0, complete + 1, 2, 2)
    assert good.exists()


def test_a_gzip_cut_between_two_records_rejects_the_unreadable_rest(con, tmp_path):
    first = gzip.compress((json.dumps(ping("one")) + "\n").encode())
    second = gzip.compress((json.dumps(ping("two")) + "\n").encode())
    path = tmp_path / "members.ndjson.gz"
    path.write_bytes(first + second[:12])  # a whole first member, the second cut in its header

    result = ingest(con, path)

    assert (result.records_read, result.accepted, result.rejected) == (2, 1, 1)
    ((number, reason),) = rejects(con)
    assert number == 2 and "the rest of the file could not be read" in reason


def test_a_json_array_with_a_syntax_error_lands_the_elements_before_it(con, tmp_path):
    path = tmp_path / "array.json"
    path.write_text("[\n" + json.dumps(ping("a")) + ",\n" + json.dumps(ping("b")) + ",\n"
                    + '{"id": "c", "type": oops}' + ",\n" + json.dumps(ping("d")) + "\n]\n")

    result = ingest(con, path)

    assert [i for (i,) in landed(con)] == ["a", "b"]
    assert landed(con, "record_number") == [(1,), (2,)]
    ((number, reason),) = rejects(con)
    assert number == 3 and "JSON syntax error at line 4 column" in reason
    assert (result.records_read, result.accepted, result.rejected) == (3, 2, 1)


def test_a_truncated_json_gz_array_lands_its_complete_elements(con, tmp_path):
    text = json.dumps([ping(f"e{i}") for i in range(50)], indent=1).encode()
    whole = gzip.compress(text)
    path = tmp_path / "array.json.gz"
    path.write_bytes(whole[: len(whole) * 2 // 3])

    result = ingest(con, path)

    ids = [i for (i,) in landed(con)]
    assert 0 < len(ids) < 50 and ids == [f"e{i}" for i in range(len(ids))]
    ((number, reason),) = rejects(con)
    assert number == len(ids) + 1 and "gzip" in reason
    assert result.records_read == len(ids) + 1


# --- duplicates and idempotency ----------------------------------------------------------------------

def test_the_same_file_twice_adds_nothing_the_second_time(con, tmp_path):
    path = write_lines(tmp_path / "e.ndjson", [ping("a"), quiz("b"), "garbage"])

    first = ingest(con, path)
    second = ingest(con, path)

    assert (first.accepted, first.duplicates, first.rejected) == (2, 0, 1)
    assert (second.accepted, second.duplicates, second.rejected) == (0, 2, 1)
    assert len(landed(con)) == 2
    assert len(rejects(con)) == 1


def test_overlapping_renamed_and_grown_files_add_only_what_is_new(con, tmp_path):
    write_lines(tmp_path / "day1.ndjson", [ping("a"), ping("b"), "bad line"])
    ingest(con, tmp_path / "day1.ndjson")

    renamed = write_lines(tmp_path / "copy" / "other-name.jsonl", [ping("a"), ping("b"), "bad line"])
    overlap = write_lines(tmp_path / "overlap.ndjson", [ping("b"), ping("c")])
    grown = write_lines(tmp_path / "day1.ndjson", [ping("a"), ping("b"), "bad line", ping("d"), "bad line"])

    assert ingest(con, renamed).accepted == 0
    assert ingest(con, overlap).accepted == 1
    result = ingest(con, grown)

    assert (result.records_read, result.accepted, result.duplicates, result.rejected) == (5, 1, 2, 2)
    assert sorted(r[0] for r in landed(con)) == ["a", "b", "c", "d"]
    # the grown file's second "bad line" is a new occurrence (key #2); nothing else is added
    assert rejects(con, "record_number, reject_key") == [(3, _key("bad line", 1)), (5, _key("bad line", 2))]


def _key(raw: str, occurrence: int) -> str:
    import hashlib

    return f"{hashlib.md5(raw.encode()).hexdigest()}#{occurrence}"


def test_identical_bad_lines_in_one_file_are_both_kept(con, tmp_path):
    path = write_lines(tmp_path / "e.ndjson", ["oops", ping("a"), "oops"])

    ingest(con, path)

    assert rejects(con, "record_number, reject_key") == [(1, _key("oops", 1)), (3, _key("oops", 2))]


def test_same_content_is_a_duplicate_whatever_its_spelling(con, tmp_path):
    original = ping("same", payload={"video_id": "v", "position": 10, "duration": 600}, context={"ip": "1.2.3.4"})
    respelled = (
        '{"payload":{"duration":600.0,"position":"10","video_id":"v"},"occurred_at":"2026-03-02T11:00:00+01:00",'
        '"class_id":"cls-1","course_id":"crs-1","student_id":"stu-1","type":"VIDEO_PING","id":"same",'
        '"context":{"ip":"1.2.3.4"},"version":1}'
    )
    path = write_lines(tmp_path / "e.ndjson", [original, respelled])

    result = ingest(con, path)

    assert (result.accepted, result.duplicates, result.rejected) == (1, 1, 0)


def test_conflicting_duplicates_within_a_batch_keep_the_first(con, tmp_path):
    path = write_lines(tmp_path / "e.ndjson", [
        ping("x", payload__position=1), ping("x", payload__position=1), ping("x", payload__position=2),
    ])

    result = ingest(con, path)

    assert (result.accepted, result.duplicates, result.rejected) == (1, 1, 1)
    assert json.loads(landed(con, "payload_json")[0][0])["position"] == 1
    ((number, reason),) = rejects(con)
    assert number == 3
    assert "conflicting duplicate" in reason and "x" in reason and "earlier in this batch" in reason


def test_first_file_in_sorted_order_wins_within_a_batch(con, tmp_path):
    folder = tmp_path / "in"
    write_lines(folder / "b.ndjson", [ping("x", student_id="from-b")])
    write_lines(folder / "a.ndjson", [ping("x", student_id="from-a")])

    result = ingest(con, folder)

    assert (result.accepted, result.rejected) == (1, 1)
    assert landed(con, "student_id") == [("from-a",)]


def test_conflicting_duplicates_across_batches_keep_the_landed_one(con, tmp_path):
    ingest(con, write_lines(tmp_path / "one.ndjson", [quiz("q", payload__score=5)]))

    later = write_lines(tmp_path / "two.ndjson", [quiz("q", payload__score=6), quiz("q", payload__score=5)])
    result = ingest(con, later)

    assert (result.accepted, result.duplicates, result.rejected) == (0, 1, 1)
    assert json.loads(landed(con, "payload_json")[0][0])["score"] == 5
    ((number, reason),) = rejects(con)
    assert number == 1 and "conflicting duplicate" in reason and "already landed" in reason


def test_landed_hashes_of_another_kind_still_tell_duplicates_from_conflicts(con, tmp_path):
    # A warehouse landed by an older version holds md5 content hashes: unequal hashes are compared by content.
    ingest(con, write_lines(tmp_path / "one.ndjson", [quiz("q", payload__score=5), ping("p")]))
    con.execute("update landing.lms_events set content_hash = md5(content_hash)")

    later = write_lines(tmp_path / "two.ndjson", [quiz("q", payload__score=5), ping("p"), quiz("q", payload__score=6)])
    result = ingest(con, later)

    assert (result.accepted, result.duplicates, result.rejected) == (0, 2, 1)
    ((number, reason),) = rejects(con)
    assert number == 3 and "conflicting duplicate" in reason


def test_counts_reconcile_in_the_result_and_in_ingest_batches(con, tmp_path):
    folder = tmp_path / "in"
    write_lines(folder / "a.ndjson", [ping("1"), ping("2"), ping("2"), ping("3", payload__duration=0), "x"])
    write_json(folder / "b.json", [quiz("4"), quiz("1"), 7])

    result = ingest(con, folder, organization_id="org-1")

    assert result.records_read == result.accepted + result.duplicates + result.rejected == 8
    assert (result.accepted, result.duplicates, result.rejected) == (3, 1, 4)
    row = con.execute(
        "select batch_id, kind, sources, organization_id, records_read, accepted, duplicates, rejected "
        "from landing.ingest_batches"
    ).fetchone()
    assert row == (result.batch_id, "events", json.dumps(list(result.sources)), "org-1", 8, 3, 1, 4)
    assert con.execute("select count(distinct batch_id) from landing.lms_events").fetchone() == (1,)
    assert "read 8 = accepted 3 + duplicates 1 + rejected 4" in result.summary()


def test_a_failure_while_landing_leaves_no_half_batch(con, tmp_path, monkeypatch):
    path = write_lines(tmp_path / "e.ndjson", [ping("a"), "bad"])

    def explode(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(events_module, "record_batch", explode)
    with pytest.raises(RuntimeError):
        ingest(con, path)

    assert (landed(con), rejects(con), batches(con)) == ([], [], [])
    monkeypatch.undo()
    assert ingest(con, path).accepted == 1


# --- inputs that are not there ------------------------------------------------------------------------

def test_missing_path_is_a_one_line_error(con, tmp_path):
    with pytest.raises(IngestError) as error:
        ingest(con, tmp_path / "nope.ndjson")
    assert "nope.ndjson" in str(error.value) and "\n" not in str(error.value)


def test_an_explicit_unsupported_file_is_an_error(con, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("id\n1\n")
    with pytest.raises(IngestError, match="unsupported file type"):
        ingest(con, path)


def test_a_folder_without_event_files_is_an_error(con, tmp_path):
    (tmp_path / "readme.txt").write_text("nothing here")
    with pytest.raises(IngestError, match="no event file"):
        ingest(con, tmp_path)
    assert batches(con) == []


def test_the_plausible_window_keeps_its_edges_and_the_widest_offsets(con, tmp_path):
    at_edge = (datetime.now(UTC) + timedelta(hours=23)).replace(microsecond=0).isoformat()
    path = write_lines(tmp_path / "e.ndjson", [
        ping("first", occurred_at="2000-01-01T00:00:00Z"), ping("ahead", occurred_at=at_edge),
        ping("east", occurred_at="2026-03-02T10:00:00+18:00"), ping("west", occurred_at="2026-03-02T10:00:00-1800"),
    ])

    result = ingest(con, path)

    assert (result.accepted, result.rejected) == (4, 0)
    assert landed(con, "id, occurred_at")[2:] == [
        ("east", datetime(2026, 3, 1, 16, 0)), ("west", datetime(2026, 3, 3, 4, 0))]


def test_fifos_in_a_folder_are_skipped_with_a_counted_note_and_refused_when_named(con, tmp_path):
    folder = tmp_path / "in"
    write_lines(folder / "a.ndjson", [ping("a")])
    os.mkfifo(folder / "pipe.ndjson")
    notes: list[str] = []

    result = ingest(con, folder, progress=notes.append)

    assert result.accepted == 1
    assert any(line.startswith("note: skipped 1 FIFO") for line in notes)
    with pytest.raises(IngestError, match="is a FIFO"):
        ingest(con, folder / "pipe.ndjson")


def test_integer_ids_are_their_decimal_text(con, tmp_path):
    path = write_lines(tmp_path / "e.ndjson", [ping(101, student_id=42, class_id=7, course_id=-3)])

    result = ingest(con, path)

    assert result.accepted == 1
    assert landed(con, "id, student_id, class_id, course_id") == [("101", "42", "7", "-3")]


def test_records_converted_in_python_refuse_duplicate_keys_and_deep_nesting(con, tmp_path):
    statement = ('{"actor": {"account": {"name": "a", "homePage": "h"}}, "verb": {"id": "http://x/played"}, '
                 '"verb": {"id": "http://x/paused"}, "object": {"id": "o"}, "timestamp": "2026-03-02T10:00:00Z"}')
    deep = '{"actor": ' + '{"a": ' * 1500 + "1" + "}" * 1500 + ', "verb": {"id": "v"}, "object": {"id": "o"}}'
    path = write_lines(tmp_path / "e.ndjson", [ping("ok-1"), statement, deep, ping("ok-2")])

    result = ingest(con, path)

    assert (result.records_read, result.accepted, result.rejected) == (4, 2, 2)
    assert [r[0] for r in landed(con)] == ["ok-1", "ok-2"]
    (_, dup), (_, nested) = rejects(con)
    assert 'duplicate key "verb"' in dup
    assert "nested 1501 levels deep, over the limit of 64 (var ingest_max_nesting_depth)" in nested


# --- limits ----------------------------------------------------------------------------------------------

def _with_big_payload(event_id: str, size: int) -> dict:
    return ping(event_id, context={"blob": "y" * size})


def test_a_record_over_the_size_limit_is_rejected_and_its_neighbours_land(con, tmp_path):
    limit = max_record_bytes()
    path = write_lines(tmp_path / "big.ndjson", [
        ping("first"),
        _with_big_payload("three-mb", 3 << 20),  # over DuckDB's line reader default, under the limit: lands
        ping("middle"),
        _with_big_payload("too-big", limit + 1024),  # at the end: DuckDB's reader used to drop it silently
    ])

    result = ingest(con, path)

    assert [i for (i,) in landed(con)] == ["first", "three-mb", "middle"]
    ((number, raw, reason),) = rejects(con, "record_number, raw_text, reason")
    assert number == 4 and "over the limit of" in reason and "ingest_max_record_bytes" in reason
    assert len(raw) < 2000 and raw.endswith("bytes]")  # a preview, not the whole record
    assert (result.records_read, result.accepted, result.rejected) == (4, 3, 1)


def test_a_line_over_a_record_limit_below_the_line_readers_own_is_rejected(con, tmp_path, monkeypatch):
    # DuckDB's line reader takes lines up to 2 MB; a smaller limit must still hold for JSON Lines files
    variables = {**project_vars.all_project_vars(), "ingest_max_record_bytes": 4096}
    monkeypatch.setattr(project_vars, "_project_vars", lambda: variables)
    path = write_lines(tmp_path / "small-limit.ndjson",
                       [ping("first"), _with_big_payload("ten-kb", 10_000), ping("last")])

    result = ingest(con, path)

    assert [i for (i,) in landed(con)] == ["first", "last"]
    ((number, reason),) = rejects(con, "record_number, reason")
    assert number == 2 and "over the limit of 4,096 (var ingest_max_record_bytes)" in reason
    assert (result.records_read, result.accepted, result.rejected) == (3, 2, 1)


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"k": value}
    return value


def test_a_record_nested_deeper_than_the_limit_is_rejected_with_its_depth_and_neighbours_land(con, tmp_path):
    limit = max_nesting_depth()
    path = write_lines(tmp_path / "deep.ndjson", [
        ping("first"),
        ping("at-limit", context=_nested(limit - 1)),  # the record is one level itself
        ping("over", context=_nested(limit)),
        ping("brackets-in-text", context={"note": "{[" * (2 * limit)}),  # many brackets, none nesting
        ping("last"),
    ])

    result = ingest(con, path)

    assert [i for (i,) in landed(con)] == ["first", "at-limit", "brackets-in-text", "last"]
    assert rejects(con) == [(3, f"nested {limit + 1} levels deep, over the limit of {limit} "
                                "(var ingest_max_nesting_depth)")]
    assert (result.records_read, result.accepted, result.rejected) == (5, 4, 1)


@pytest.mark.parametrize("kind", ["json array", "parquet"])
def test_a_record_over_the_size_limit_in_a_json_array_or_parquet_is_rejected_with_its_size(con, tmp_path, kind):
    limit = max_record_bytes()
    # a big payload (write_parquet keeps the columns of the first record only)
    big = ping("too-big", payload={"video_id": "y" * (limit + 1024), "position": 1, "duration": 2})
    records = [ping("first"), big, ping("last")]
    path = (write_json(tmp_path / "e.json", records) if kind == "json array"
            else write_parquet(tmp_path / "e.parquet", records))

    result = ingest(con, path)

    assert [i for (i,) in landed(con)] == ["first", "last"]
    ((number, raw, reason),) = rejects(con, "record_number, raw_text, reason")
    assert number == 2 and f"over the limit of {limit:,} (var ingest_max_record_bytes)" in reason
    assert len(raw) < 2000 and raw.endswith("bytes]")
    assert (result.records_read, result.accepted, result.rejected) == (3, 2, 1)


def test_an_oversized_line_in_the_middle_of_a_file_does_not_abort_the_other_files(con, tmp_path):
    folder = tmp_path / "in"
    write_lines(folder / "a.ndjson", [ping("a")])
    write_lines(folder / "b.ndjson", [ping("b1"), _with_big_payload("b-big", max_record_bytes() + 1), ping("b2")])
    write_lines(folder / "c.ndjson", [ping("c")])

    result = ingest(con, folder)

    assert [i for (i,) in landed(con)] == ["a", "b1", "b2", "c"]
    assert (result.records_read, result.accepted, result.rejected) == (5, 4, 1)


def _gzip_of(byte: bytes, size: int, path: Path) -> Path:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    with path.open("wb") as handle:
        block = byte * (1 << 20)
        for _ in range(size >> 20):
            handle.write(compressor.compress(block))
        handle.write(compressor.flush())
    return path


@pytest.mark.parametrize("byte", [b"\0", b" "])
def test_a_compression_bomb_is_rejected_whole_and_other_files_land(con, tmp_path, byte):
    folder = tmp_path / "in"
    write_lines(folder / "a.ndjson", [ping("a")])
    bomb = _gzip_of(byte, 512 << 20, folder / "b_bomb.ndjson.gz")  # 512 MiB expanded from about half a MiB

    result = ingest(con, folder)

    assert landed(con) == [("a",)]
    ((source, number, reason),) = rejects(con, "source_file, record_number, reason")
    assert (source, number) == (str(bomb), 0) and "ingest_max_compression_ratio" in reason
    assert (result.records_read, result.accepted, result.rejected) == (2, 1, 1)


def test_a_compression_bomb_is_stopped_with_bounded_memory(tmp_path):
    bomb = _gzip_of(b"\0", 2048 << 20, tmp_path / "bomb.ndjson.gz")  # 2 GiB of zeros in about 2 MiB
    cli = Path(sys.executable).with_name("lms-warehouse")
    probe = ("import resource, subprocess, sys; "
             "done = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
             "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    env = {**os.environ, "LMS_WAREHOUSE_PATH": str(tmp_path / "lms.duckdb")}
    out = subprocess.run([sys.executable, "-c", probe, str(cli), "ingest", "events", str(bomb)], env=env,
                         capture_output=True, text=True, check=True).stdout.split()
    returncode, peak_kib = int(out[0]), int(out[1])
    assert returncode == 1  # its only record was rejected: the run says so
    assert peak_kib < 1_500 * 1024, f"peak memory {peak_kib / 1024:.0f} MiB"


def test_any_failure_inside_one_file_stays_in_that_file(con, tmp_path, monkeypatch):
    folder = tmp_path / "in"
    write_lines(folder / "a.ndjson", [ping("a")])
    write_lines(folder / "b.ndjson", [ping("b1"), ping("b2")])
    write_lines(folder / "c.ndjson", [ping("c")])
    real = events_module.load_file

    def breaks_on_b(con_, file_idx, source, insert, staged=None, drop=None):
        failure = real(con_, file_idx, source, insert, staged, drop)
        if source.path.name == "b.ndjson":  # after its rows were staged: they must not land half-way
            raise RuntimeError("disk went away\nsecond line")
        return failure

    monkeypatch.setattr(events_module, "load_file", breaks_on_b)
    result = ingest(con, folder)

    assert [i for (i,) in landed(con)] == ["a", "c"]
    ((number, reason),) = rejects(con)
    assert number == 0 and reason == "could not read file b.ndjson: RuntimeError: disk went away"
    assert (result.records_read, result.accepted, result.rejected) == (3, 2, 1)
    assert result.failed_files == (str(folder / "b.ndjson"),)


def test_an_unexpected_conversion_failure_rejects_only_that_record(con, tmp_path, monkeypatch):
    def explodes(raw, catalog, salt):
        raise ValueError("converter bug")

    monkeypatch.setattr("ingestion.conversions.convert_raw", explodes)
    statement = '{"actor": {"account": {"name": "a"}}, "verb": {"id": "v"}, "object": {"id": "o"}}'
    result = ingest(con, write_lines(tmp_path / "e.ndjson", [ping("ok"), statement]))

    assert (result.accepted, result.rejected) == (1, 1)
    assert "could not convert the record: ValueError: converter bug" in rejects(con)[0][1]


def test_the_ingest_memory_cap_is_a_setting_and_a_wrong_one_is_one_line(con, tmp_path, monkeypatch):
    path = write_lines(tmp_path / "e.ndjson", [ping("a")])
    before = con.execute("select current_setting('memory_limit')").fetchone()
    monkeypatch.setenv("LMS_INGEST_MEMORY_LIMIT", "lots")
    with pytest.raises(IngestError, match="LMS_INGEST_MEMORY_LIMIT='lots' is not a memory size DuckDB knows"):
        ingest(con, path)
    monkeypatch.setenv("LMS_INGEST_MEMORY_LIMIT", "1GB")
    assert ingest(con, path).accepted == 1
    assert con.execute("select current_setting('memory_limit')").fetchone() == before  # the session's own again
