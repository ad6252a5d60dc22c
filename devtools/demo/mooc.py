"""The demo's MOOC platform (Open edX export API) and H5P contents, derived from the demo learners' events.

`build_mooc_dataset` returns what the MOOC and H5P servers would show at an instant `as_of`, in the
simulator-dataset shape of the issue-4 contract. Everything is derived from the LMS events up to
`as_of` (grades from quiz attempts, progress from steps, H5P video progress from pings), so a weekly
fetch of it gives the point-in-time history a real platform would, and dropout in the MOOC data is the
same behaviour as in the events (nothing is drawn from a label).

Learners are the catalog's students: the MOOC `user_id` is numeric (`100000` + the student number)
and the e-mail is the LMS e-mail, except for a few learners who signed up with another address
(`MISMATCH_EVERY`); `MAPPED_USER_IDS` of those are listed in `seeds/learner_id_map.csv`, the others stay
unmatched on purpose. Some e-mails differ only in case and spaces: normalisation must match them.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from devtools.demo.data import COURSES, PASS_SHARE, Catalog, class_id, quiz_id

USER_ID_BASE = 100000
MISMATCH_EVERY = 37  # every 37th student signed up on the MOOC with another e-mail address
SHOUTED_EVERY = 11  # every 11th student typed the same address in capitals with spaces around it
ENROLL_DAYS_BEFORE_FIRST_EVENT = 3  # at most this many days between enrolling and the first activity
IDLE_ENROLLMENT_SHARE = 0.08  # students enrolled in a course they never started
H5P_CONTENT_BASE = 5000


def mooc_user_id(student_id: str) -> int:
    """The demo MOOC's numeric user id of an LMS student `stu-NNNNN`."""
    return USER_ID_BASE + int(student_id.removeprefix("stu-"))


def has_mismatched_email(student_id: str) -> bool:
    return int(student_id.removeprefix("stu-")) % MISMATCH_EVERY == 0


def mapped_learners(n_students: int) -> list[tuple[int, str]]:
    """(MOOC user_id, student_id) of the mismatched learners `seeds/learner_id_map.csv` maps: every other one."""
    mismatched = [f"stu-{s:05d}" for s in range(1, n_students + 1) if has_mismatched_email(f"stu-{s:05d}")]
    return [(mooc_user_id(student), student) for student in mismatched[::2]]


def _stamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Trace:
    """What one learner did in one course up to `as_of`."""

    first_at: datetime | None = None
    last_at: datetime | None = None
    active_days: set[str] = field(default_factory=set)
    video_max: dict[int, float] = field(default_factory=dict)  # step index -> furthest position
    video_last: dict[int, float] = field(default_factory=dict)  # step index -> last position
    best_score: dict[int, tuple[float, datetime]] = field(default_factory=dict)  # step -> (score, when)
    passed: set[int] = field(default_factory=set)
    touched: set[int] = field(default_factory=set)


def _traces(events: list[dict], as_of: datetime) -> dict[tuple[str, str], _Trace]:
    traces: dict[tuple[str, str], _Trace] = defaultdict(_Trace)
    for event in events:
        at = event["occurred_at"]
        if at > as_of or not event.get("course_id"):
            continue
        trace = traces[(event["student_id"], event["course_id"])]
        trace.first_at = at if trace.first_at is None else min(trace.first_at, at)
        trace.last_at = at if trace.last_at is None else max(trace.last_at, at)
        trace.active_days.add(at.date().isoformat())
        index = int(event["class_id"].rsplit("-", 1)[1])
        trace.touched.add(index)
        payload = event["payload"]
        if event["type"] == "VIDEO_PING":
            trace.video_max[index] = max(trace.video_max.get(index, 0.0), payload["position"])
            trace.video_last[index] = payload["position"]
        elif event["type"] == "QUIZ_SUBMIT":
            best = trace.best_score.get(index)
            if best is None or payload["score"] > best[0]:
                trace.best_score[index] = (payload["score"], at)
            if payload["passed"]:
                trace.passed.add(index)
    return traces


def _step_done(trace: _Trace, index: int, duration: int | None, max_score: int | None) -> bool:
    if any(later > index for later in trace.touched):
        return True  # the demo learner moves on only after finishing a step (readings leave no event)
    video_ok = duration is None or trace.video_max.get(index, 0.0) >= 0.9 * duration
    quiz_ok = max_score is None or index in trace.passed
    return index in trace.touched and video_ok and quiz_ok


def _enrollment_times(catalog: Catalog, events: list[dict], seed: int) -> dict[tuple[str, str], datetime]:
    """When each (student, course) enrolled: a few days before the first event, or any time for idle ones."""
    first: dict[tuple[str, str], datetime] = {}
    for event in events:
        key = (event["student_id"], event.get("course_id") or "")
        if key[1] and (key not in first or event["occurred_at"] < first[key]):
            first[key] = event["occurred_at"]
    if not first:
        return {}
    start, end = min(first.values()), max(first.values())
    enrolled = {}
    for (student, course), at in first.items():
        lead = random.Random(f"{seed}|enrol|{student}|{course}").uniform(0, ENROLL_DAYS_BEFORE_FIRST_EVENT)
        enrolled[(student, course)] = (at - timedelta(days=lead)).replace(microsecond=0)
    span = (end - start).total_seconds()
    for student in catalog.students:
        for course, _, _ in COURSES:
            key = (student["id"], course)
            draw = random.Random(f"{seed}|idle|{student['id']}|{course}")
            if key not in enrolled and draw.random() < IDLE_ENROLLMENT_SHARE:
                enrolled[key] = (start + timedelta(seconds=draw.uniform(0, span))).replace(microsecond=0)
    return enrolled


def _email(student: dict) -> str:
    address = student["emails"][0]["email"]
    number = int(student["id"].removeprefix("stu-"))
    if has_mismatched_email(student["id"]):
        return f"{student['last_name'].lower()}{number}@othermail.example"
    if number % SHOUTED_EVERY == 0:
        return f"  {address.upper()} "
    return address


def _discussion(trace: _Trace, seed: int, student: str, course: str) -> dict[str, int]:
    threads = comments = questions = upvotes = 0
    for day in sorted(trace.active_days):  # a stable draw per active day: counts only ever grow
        draw = random.Random(f"{seed}|forum|{student}|{course}|{day}")
        if draw.random() < 0.12:
            threads += 1
            questions += draw.random() < 0.5
        comments += draw.random() < 0.25
        upvotes += draw.randint(0, 2) if draw.random() < 0.2 else 0
    return {"threads_count": threads, "comments_count": comments, "questions_count": questions,
            "total_upvotes": upvotes, "total_interactions": threads + comments}


def _course_records(
    student: dict, course: str, steps: list, trace: _Trace, enrolled_at: datetime, seed: int
) -> dict[str, Any]:
    user_id = mooc_user_id(student["id"])
    number = int(student["id"].removeprefix("stu-"))
    username = f"{student['first_name']}{student['last_name']}{number}".lower().replace("-", "")
    email = _email(student)
    done = [_step_done(trace, i, duration, max_score) for i, (_, duration, max_score) in enumerate(steps, 1)]
    graded = [(i, max_score) for i, (_, _, max_score) in enumerate(steps, 1) if max_score]
    total_max = sum(m for _, m in graded)
    percent = round(sum(trace.best_score.get(i, (0, None))[0] for i, _ in graded) / total_max, 4)
    passed = percent >= PASS_SHARE
    current = next((i for i, ok in enumerate(done, 1) if not ok), len(steps))
    mode = "verified" if random.Random(f"{seed}|mode|{user_id}|{course}").random() < 0.3 else "audit"
    return {
        "enrollment": {
            "user_id": user_id, "username": username, "email": email, "full_name": student["name"],
            "enrollment_id": user_id * 10 + [c for c, _, _ in COURSES].index(course),
            "mode": mode, "is_active": True, "created": _stamp(enrolled_at),
            "attributes": [{"namespace": "order", "name": "channel", "value": "demo"},
                           {"namespace": "profile", "name": "cohort", "value": enrolled_at.strftime("%G-W%V")}],
        },
        "grade": {"user_id": user_id, "username": username, "email": email, "percent": percent,
                  "letter_grade": ("A" if percent >= 0.9 else "B" if percent >= 0.75 else "Pass") if passed else None,
                  "passed": passed},
        "progress": {
            "user_id": user_id, "total_blocks": len(steps), "completed_blocks": sum(done),
            "progress_percent": round(100.0 * len(trace.touched) / len(steps), 2),
            "current_chapter": course.removeprefix("course-").title(), "current_section": f"Step {current}",
            "current_unit": class_id(course, current), "completion_rate": round(sum(done) / len(steps), 4),
            "last_activity": _stamp(trace.last_at),
        },
        "discussion": {"user_id": user_id, **_discussion(trace, seed, student["id"], course)},
    }


def _h5p_records(course: str, steps: list, trace: _Trace) -> dict[str, Any]:
    scores, videos = [], []
    for index, (_, duration, max_score) in enumerate(steps, 1):
        content = H5P_CONTENT_BASE + 100 * [c for c, _, _ in COURSES].index(course) + index
        if max_score and index in trace.best_score:
            score, at = trace.best_score[index]
            scores.append({"content_id": content, "content_title": f"Quiz {quiz_id(course, index)}",
                           "score": int(score), "max_score": max_score, "finished_at": _stamp(at)})
        if duration:
            furthest = trace.video_max.get(index)
            status = ("not_started" if furthest is None else
                      "completed" if furthest >= 0.9 * duration else "in_progress")
            videos.append({"content_id": content + 50, "content_title": f"Video {class_id(course, index)}",
                           "progress_percent": round(100.0 * (furthest or 0) / duration, 2),
                           "current_time": int(trace.video_last.get(index, 0)), "duration": duration,
                           "status": status})
    n_quizzes = sum(1 for _, _, m in steps if m)
    completed = sum(1 for s in scores if s["score"] >= math.ceil(s["max_score"] * PASS_SHARE))
    completed += sum(1 for v in videos if v["status"] == "completed")
    total = n_quizzes + len(videos)
    dashboard = {"overall_completion": round(100.0 * completed / total, 2) if total else 0.0,
                 "total_items": total, "completed_items": completed,
                 "h5p_total_contents": n_quizzes, "video_total_videos": len(videos)}
    return {"scores": scores, "videos": videos, "dashboard": dashboard}


def build_mooc_dataset(catalog: Catalog, events: list[dict], as_of: datetime, rng: random.Random) -> dict:
    """What the MOOC export API and the H5P API show at `as_of` (naive UTC), as the simulator's dataset.

    A pure function of (catalog, events, as_of, the state of `rng`): `rng` is copied, never advanced, so
    calling it with the same rng for several `as_of` instants gives snapshots of one consistent history
    (the same enrollments, e-mails and forum draws; counts only grow).
    """
    copy = random.Random()
    copy.setstate(rng.getstate())
    seed = copy.getrandbits(32)
    students = {student["id"]: student for student in catalog.students}
    traces = _traces(events, as_of)
    steps_of = {course: steps for course, _, steps in COURSES}
    courses: dict[str, dict[str, list]] = {
        course: {"enrollments": [], "grades": [], "progress": [], "discussions": []} for course, _, _ in COURSES
    }
    h5p: dict[str, dict[str, dict]] = {course: {} for course, _, _ in COURSES}
    for (student_id, course), enrolled_at in sorted(_enrollment_times(catalog, events, seed).items()):
        if enrolled_at > as_of or student_id not in students or course not in steps_of:
            continue
        trace = traces.get((student_id, course), _Trace())
        records = _course_records(students[student_id], course, steps_of[course], trace, enrolled_at, seed)
        target = courses[course]
        target["enrollments"].append(records["enrollment"])
        target["grades"].append(records["grade"])
        target["progress"].append(records["progress"])
        target["discussions"].append(records["discussion"])
        h5p[course][str(mooc_user_id(student_id))] = _h5p_records(course, steps_of[course], trace)
    return {"courses": courses, "h5p": h5p}

