"""Unified.to-shaped catalog objects for catalog-ingestion tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

STAMP = "2026-01-05T09:00:00Z"


def student(n: int, **changes: Any) -> dict[str, Any]:
    return {
        "id": f"stu-{n}", "name": f"Learner {n}", "first_name": "Learner", "last_name": str(n),
        "emails": [{"email": f"learner{n}@example.org", "type": "WORK"}], "created_at": STAMP, "updated_at": STAMP,
        **changes,
    }


def instructor(n: int, **changes: Any) -> dict[str, Any]:
    return {"id": f"ins-{n}", "name": f"Instructor {n}", "emails": [], "updated_at": STAMP, **changes}


def course(n: int, **changes: Any) -> dict[str, Any]:
    return {
        "id": f"crs-{n}", "name": f"Course {n}", "instructor_ids": ["ins-1"], "is_active": True,
        "price_amount": 0, "currency": "EUR", "updated_at": STAMP, **changes,
    }


def klass(n: int, **changes: Any) -> dict[str, Any]:
    return {
        "id": f"cls-{n}", "course_id": "crs-1", "name": f"Step {n}", "order_index": n, "step_type": "VIDEO",
        "content_md": f"# Step {n}\n", "media": [], "updated_at": STAMP, **changes,
    }


def catalog(students: int = 3) -> dict[str, list[dict[str, Any]]]:
    return {
        "student": [student(n) for n in range(1, students + 1)],
        "instructor": [instructor(1)],
        "course": [course(1)],
        "class": [klass(1), klass(2)],
    }


def write_catalog(folder: Path, data: dict[str, list[Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for entity, objects in data.items():
        (folder / f"lms_{entity}.json").write_text(json.dumps(objects, indent=2))
    return folder


def write_demo_catalog(folder: Path, demo: Any, *, step_type_change: bool = False) -> Path:
    """Write a `devtools.demo.data.Catalog` as catalog files. step_type_change: the first video class
    becomes a video_quiz class, so requirements (and signals) change for everyone who watched it."""
    classes = demo.classes
    if step_type_change:
        first_video = next(c for c in classes if c.get("step_type") == "video")
        classes = [dict(c, step_type="video_quiz", updated_at="2025-03-06T00:00:00Z") if c is first_video else c
                   for c in classes]
    return write_catalog(folder, {"student": demo.students, "instructor": demo.instructors,
                                  "course": demo.courses, "class": classes})
