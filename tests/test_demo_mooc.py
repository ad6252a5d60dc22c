"""The demo's MOOC/H5P dataset: the contract's shape, state as of an instant, consistent snapshots."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from devtools.demo.data import build_catalog, generate_events
from devtools.demo.mooc import build_mooc_dataset, has_mismatched_email, mooc_user_id

START = datetime(2026, 10, 1)


def _demo(students: int = 80):
    rng = random.Random(3)
    catalog = build_catalog(students, START - timedelta(days=30), rng)
    events = sorted(generate_events(catalog, START, 28, rng), key=lambda e: e["occurred_at"])
    return catalog, events, rng


def test_dataset_has_the_contract_shape_and_lms_emails() -> None:
    catalog, events, rng = _demo()
    dataset = build_mooc_dataset(catalog, events, START + timedelta(days=28), rng)
    emails = {s["id"]: s["emails"][0]["email"] for s in catalog.students}
    course = dataset["courses"]["course-sql"]
    assert set(course) == {"enrollments", "grades", "progress", "discussions"}
    for enrollment in course["enrollments"]:
        student = f"stu-{enrollment['user_id'] - 100000:05d}"
        assert isinstance(enrollment["user_id"], int) and mooc_user_id(student) == enrollment["user_id"]
        if has_mismatched_email(student):
            assert enrollment["email"].strip().lower() != emails[student]
        else:
            assert enrollment["email"].strip().lower() == emails[student]
    user = str(course["enrollments"][0]["user_id"])
    assert set(dataset["h5p"]["course-sql"][user]) == {"scores", "videos", "dashboard"}
    assert all(0 <= g["percent"] <= 1 for g in course["grades"])


def test_snapshots_are_one_consistent_history() -> None:
    catalog, events, rng = _demo()
    state = rng.getstate()
    week1 = build_mooc_dataset(catalog, events, START + timedelta(days=7), rng)
    week3 = build_mooc_dataset(catalog, events, START + timedelta(days=21), rng)
    assert rng.getstate() == state  # the caller's rng is not advanced
    for course, blocks in week1["courses"].items():
        later = {e["user_id"]: e for e in week3["courses"][course]["enrollments"]}
        assert all(later[e["user_id"]] == e for e in blocks["enrollments"])  # same enrollments, same e-mails
        later_forum = {d["user_id"]: d for d in week3["courses"][course]["discussions"]}
        assert all(later_forum[d["user_id"]]["threads_count"] >= d["threads_count"] for d in blocks["discussions"])
        cutoff = (START + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert all((p["last_activity"] or "") <= cutoff for p in blocks["progress"])
