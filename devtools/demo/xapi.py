"""Demo xAPI input: video-profile statements (with played-segments) from a player embedded in two demo classes.

One video is named by the URL the catalog lists in its class's `media` (so the class is found from the
catalog); the other by an H5P IRI that only `seeds/video_object_class_map.csv` maps to its class. Viewers
start at the beginning and leave at various points, more of them early, so the drop-off chart has a shape.
"""

from __future__ import annotations

import gzip
import json
import random
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from devtools.demo.data import Catalog

VIDEO = "https://w3id.org/xapi/video/"
ADL = "http://adlnet.gov/expapi/verbs/"
HOME_PAGE = "https://lms.example"
# (object IRI, course, length in seconds): the first is in the catalog media of cls-python-01, the second
# only in the mapping seed (cls-ml-01).
DEMO_VIDEOS = (
    ("https://video.example/vid-python-01", "course-python", 240),
    ("https://h5p.example/content/vid-ml-01", "course-ml", 420),
)
DEMO_VIEWERS = 60
DEMO_XAPI_START = datetime(2026, 11, 2, 9, 0, 0)  # inside the demo's 28 days before DEMO_NOW
DEMO_XAPI_DAYS = 12


def write_demo_xapi(events_dir: Path, catalog: Catalog, rng: random.Random) -> Path:
    """Write the demo statements (JSON Lines, gzip) under events_dir/xapi; returns the file."""
    students = rng.sample([s["id"] for s in catalog.students], k=min(DEMO_VIEWERS, len(catalog.students)))
    statements: list[dict[str, Any]] = []
    for student in students:
        for object_id, course, length in DEMO_VIDEOS:
            if rng.random() < 0.7:
                at = DEMO_XAPI_START + timedelta(days=rng.randrange(DEMO_XAPI_DAYS), minutes=rng.randrange(600))
                for _ in range(rng.choice((1, 1, 2))):
                    statements.extend(_session(student, object_id, course, length, at, rng))
                    at += timedelta(days=1, minutes=rng.randrange(120))
    # A statement without an actor, as real feeds send: it lands in the rejects with its reason.
    statements.append({**statements[0], "id": str(uuid.UUID(int=rng.getrandbits(128))), "actor": None})
    path = events_dir / "xapi" / "video_statements.ndjson.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("".join(json.dumps(s, separators=(",", ":")) + "\n" for s in statements))
    return path


def _session(
    student: str, object_id: str, course: str, length: int, at: datetime, rng: random.Random
) -> list[dict[str, Any]]:
    """One viewing: load, play, pauses, now and then a seek back, until the learner leaves or the end."""
    session_id = str(uuid.UUID(int=rng.getrandbits(128)))
    leaves_at = length if rng.random() < 0.35 else round(length * min(1.0, rng.expovariate(2.5)), 1)
    segments: list[str] = []
    position, clock = 0.0, at
    out = [_statement("initialized", student, object_id, course, length, session_id, clock, rng, {})]
    while position < leaves_at:
        out.append(_statement("played", student, object_id, course, length, session_id, clock, rng,
                              {"time": position}))
        stop = round(min(leaves_at, position + rng.uniform(20, 120)), 1)
        clock += timedelta(seconds=stop - position)
        segments.append(f"{position}[.]{stop}")
        verb, extensions = "paused", {"time": stop}
        if stop < leaves_at and rng.random() < 0.25:
            back = round(max(0.0, stop - rng.uniform(5, 40)), 1)
            verb, extensions = "seeked", {"time-from": stop, "time-to": back}
            stop = back
        extensions["played-segments"] = "[,]".join(segments)
        extensions["progress"] = round(min(1.0, stop / length), 3)
        out.append(_statement(verb, student, object_id, course, length, session_id, clock, rng, extensions))
        position = stop
        clock += timedelta(seconds=rng.randint(1, 30))
    if position >= length:
        out.append(_statement("completed", student, object_id, course, length, session_id, clock, rng,
                              {"time": float(length), "progress": 1.0, "played-segments": "[,]".join(segments)}))
    out.append(_statement("terminated", student, object_id, course, length, session_id, clock, rng,
                          {"time": position, "played-segments": "[,]".join(segments)}))
    return out


def _statement(
    verb: str,
    student: str,
    object_id: str,
    course: str,
    length: int,
    session_id: str,
    at: datetime,
    rng: random.Random,
    result_extensions: dict[str, Any],
) -> dict[str, Any]:
    verb_id = f"{ADL}{verb}" if verb in ("initialized", "completed", "terminated") else f"{VIDEO}verbs/{verb}"
    stamp = at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128))),
        "actor": {"objectType": "Agent", "account": {"name": student, "homePage": HOME_PAGE}},
        "verb": {"id": verb_id, "display": {"en-US": verb}},
        "object": {"id": object_id, "objectType": "Activity",
                   "definition": {"type": f"{VIDEO}activity-type/video"}},
        "result": {"extensions": {f"{VIDEO}extensions/{key}": value for key, value in result_extensions.items()}},
        "context": {
            "extensions": {f"{VIDEO}extensions/session-id": session_id, f"{VIDEO}extensions/length": length},
            "contextActivities": {"parent": [{"id": course, "objectType": "Activity",
                                              "definition": {"type": "http://adlnet.gov/expapi/activities/course"}}]},
        },
        "timestamp": stamp,
        "stored": stamp,
        "version": "1.0.3",
    }
