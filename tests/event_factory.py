"""Small builders for event-ingestion tests: canonical events, Tally deliveries, files in every format."""

from __future__ import annotations

import copy
import gzip
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

Record = dict[str, Any] | str  # a str is written as-is: a raw (possibly broken) line


def ping(event_id: str = "p-1", **changes: Any) -> dict[str, Any]:
    event = {
        "id": event_id,
        "type": "VIDEO_PING",
        "student_id": "stu-1",
        "course_id": "crs-1",
        "class_id": "cls-1",
        "occurred_at": "2026-03-02T10:00:00Z",
        "payload": {"video_id": "vid-1", "position": 30, "duration": 600},
    }
    return _apply(event, changes)


def quiz(event_id: str = "q-1", **changes: Any) -> dict[str, Any]:
    event = {
        "id": event_id,
        "type": "QUIZ_SUBMIT",
        "student_id": "stu-1",
        "course_id": "crs-1",
        "class_id": "cls-1",
        "occurred_at": "2026-03-02T10:05:00Z",
        "payload": {"quiz_id": "quiz-1", "score": 8, "max_score": 10, "passed": True},
    }
    return _apply(event, changes)


def _apply(event: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Top-level changes; `payload__x=...` changes one payload key, a value of DROP removes the key."""
    for key, value in changes.items():
        in_payload = key.startswith("payload__")
        target, name = (event["payload"], key.removeprefix("payload__")) if in_payload else (event, key)
        if value is DROP:
            target.pop(name, None)
        else:
            target[name] = value
    return event


DROP = object()


def tally_delivery(shared_dir: Path, hidden: dict[str, Any], *, score: Any = 20, event_id: str | None = None) -> dict:
    """The real Tally example with the given hidden fields added and its calculated Score set."""
    delivery = json.loads((shared_dir / "data/tally/form_response_example.json").read_text())
    delivery = copy.deepcopy(delivery)
    if event_id:
        delivery["eventId"] = event_id
    fields = delivery["data"]["fields"]
    for field in fields:
        if field["label"] == "Score":
            field["value"] = score
    for label, value in hidden.items():
        fields.append({"key": f"question_hidden_{label}", "label": label, "type": "HIDDEN_FIELDS", "value": value})
    return delivery


def line(record: Record) -> str:
    return record if isinstance(record, str) else json.dumps(record)


def write_lines(path: Path, records: list[Record], *, compress: bool = False) -> Path:
    text = "".join(line(r) + "\n" for r in records)
    path.parent.mkdir(parents=True, exist_ok=True)
    if compress:
        path.write_bytes(gzip.compress(text.encode("utf-8")))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def write_json(path: Path, document: Any, *, compress: bool = False) -> Path:
    text = json.dumps(document, indent=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    if compress:
        path.write_bytes(gzip.compress(text.encode("utf-8")))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def write_parquet(path: Path, events: list[dict[str, Any]]) -> Path:
    """Canonical columns: occurred_at as a UTC timestamp, the payload as JSON text in `payload_json`."""
    rows = [
        {
            **{k: v for k, v in e.items() if k != "payload"},
            "occurred_at": datetime.fromisoformat(e["occurred_at"]),
            "payload_json": json.dumps(e["payload"]),
        }
        for e in events
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def landed(con: duckdb.DuckDBPyConnection, columns: str = "id") -> list[tuple]:
    return con.execute(f"select {columns} from landing.lms_events order by source_file, record_number").fetchall()


def rejects(con: duckdb.DuckDBPyConnection, columns: str = "record_number, reason") -> list[tuple]:
    return con.execute(
        f"select {columns} from landing.lms_event_rejects order by source_file, record_number"
    ).fetchall()


def batches(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "select kind, records_read, accepted, duplicates, rejected from landing.ingest_batches order by started_at"
    ).fetchall()
