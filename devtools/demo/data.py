"""A synthetic but lifelike learning platform: catalog, learners and their events.

Each learner has an engagement level that drifts day to day and decays over time, so some learners
finish their courses, some stall on a hard quiz and some drop out, the way real cohorts behave.
The same generator feeds `make demo` (a few hundred learners) and `make bench` (millions of events).
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

PING_EVERY_SEC = 10

# (course id, title, [(step_type, video duration seconds or None, quiz max score or None), ...])
COURSES: tuple[tuple[str, str, list[tuple[str, int | None, int | None]]], ...] = (
    (
        "course-python",
        "Python for data analysis",
        [("video", 240, None), ("video_quiz", 300, 10), ("quiz", None, 20), ("reading", None, None),
         ("video_quiz", 360, 10)],
    ),
    (
        "course-sql",
        "SQL fundamentals",
        [("video", 180, None), ("video_quiz", 270, 10), ("video_quiz", 330, 10), ("quiz", None, 20)],
    ),
    (
        "course-ml",
        "Introduction to machine learning",
        [("video", 420, None), ("video_quiz", 390, 10), ("reading", None, None), ("video_quiz", 450, 20),
         ("quiz", None, 20)],
    ),
)
PASS_SHARE = 0.6  # the demo quizzes' pass mark as a share of the max score
DRIFT_SIGMA = 0.15  # day-to-day drift of a learner's engagement (log scale)
QUIT_BELOW = 0.1  # a learner whose engagement falls below this leaves the course for good
TIMEZONES = ("Europe/Paris", "America/New_York", "Asia/Tokyo", None, None, None)
FIRST_NAMES = ("Ada", "Alan", "Grace", "Linus", "Margaret", "Edsger", "Barbara", "Donald", "Frances",
               "Ken", "Radia", "Tim", "Hedy", "John", "Katherine", "Dennis", "Sophie", "Yann", "Amina", "Kofi")
LAST_NAMES = ("Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Dijkstra", "Liskov", "Knuth",
              "Allen", "Thompson", "Perlman", "Berners-Lee", "Lamarr", "McCarthy", "Johnson", "Ritchie",
              "Germain", "LeCun", "Diallo", "Annan")


def class_id(course: str, index: int) -> str:
    return f"cls-{course.removeprefix('course-')}-{index:02d}"


def quiz_id(course: str, index: int) -> str:
    return f"quiz-{course.removeprefix('course-')}-{index:02d}"


def video_id(course: str, index: int) -> str:
    return f"vid-{course.removeprefix('course-')}-{index:02d}"


def quiz_catalog_rows() -> list[tuple[str, int, int]]:
    """(quiz_id, max_score, pass_score) of every demo quiz: what seeds/quiz_catalog.csv must hold."""
    rows = []
    for course, _, steps in COURSES:
        for index, (_, _, max_score) in enumerate(steps, start=1):
            if max_score:
                rows.append((quiz_id(course, index), max_score, math.ceil(max_score * PASS_SHARE)))
    return rows


@dataclass
class Catalog:
    students: list[dict] = field(default_factory=list)
    instructors: list[dict] = field(default_factory=list)
    courses: list[dict] = field(default_factory=list)
    classes: list[dict] = field(default_factory=list)


def build_catalog(n_students: int, created: datetime, rng: random.Random) -> Catalog:
    """Unified.to-shaped catalog objects for the demo courses and `n_students` learners."""
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    catalog = Catalog()
    for i in range(1, 4):
        catalog.instructors.append({
            "id": f"ins-{i:02d}", "name": f"Instructor {i}", "first_name": "Instructor", "last_name": str(i),
            "emails": [{"email": f"instructor{i}@school.example", "type": "WORK"}], "title": "Lecturer",
            "created_at": stamp, "updated_at": stamp,
        })
    for c, (course, title, steps) in enumerate(COURSES):
        catalog.courses.append({
            "id": course, "name": title, "description": f"{title}: a demo course.",
            "instructor_ids": [f"ins-{c + 1:02d}"], "categories": ["data"], "languages": ["en"],
            "is_active": True, "is_private": False, "price_amount": 0, "currency": "EUR",
            "created_at": stamp, "updated_at": stamp,
        })
        for index, (step_type, duration, _) in enumerate(steps, start=1):
            media = [{"url": f"https://video.example/{video_id(course, index)}", "type": "VIDEO"}] if duration else []
            catalog.classes.append({
                "id": class_id(course, index), "course_id": course, "name": f"{title} - step {index}",
                "order_index": index, "step_type": step_type, "media": media,
                "content_md": f"# Step {index}\n", "created_at": stamp, "updated_at": stamp,
            })
    for s in range(1, n_students + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        tz = rng.choice(TIMEZONES)
        catalog.students.append({
            "id": f"stu-{s:05d}", "name": f"{first} {last}", "first_name": first, "last_name": last,
            "emails": [{"email": f"{first}.{last}.{s}@learner.example".lower(), "type": "WORK"}],
            "raw": {"timezone": tz} if tz else {},
            "created_at": stamp, "updated_at": stamp,
        })
    return catalog


@dataclass
class _Learner:
    student: str
    engagement: float  # probability of being active on a day, before decay
    decay: float  # per-day multiplicative decline of engagement
    skill: float  # 0..1, drives quiz scores


def _learners(catalog: Catalog, rng: random.Random) -> Iterator[tuple[_Learner, str]]:
    for student in catalog.students:
        learner = _Learner(
            student=student["id"],
            engagement=min(0.95, max(0.05, rng.betavariate(2.2, 1.8))),
            decay=rng.choice((0.0, 0.02, 0.05, 0.1, 0.2)),
            skill=rng.betavariate(3, 2),
        )
        for course, _, _ in rng.sample(COURSES, k=rng.choice((1, 1, 2))):
            yield learner, course


def _video_session(
    learner: _Learner, course: str, index: int, duration: int, at: datetime, rng: random.Random
) -> Iterator[dict]:
    start = 0 if rng.random() < 0.85 else rng.randrange(0, duration // 2, PING_EVERY_SEC)
    stop = duration if rng.random() < 0.55 + 0.4 * learner.engagement else rng.randrange(start, duration + 1)
    for step, position in enumerate(range(start, stop + 1, PING_EVERY_SEC)):
        yield {
            "type": "VIDEO_PING", "student_id": learner.student, "course_id": course,
            "class_id": class_id(course, index), "occurred_at": at + timedelta(seconds=step * PING_EVERY_SEC),
            "payload": {"video_id": video_id(course, index), "position": position, "duration": duration},
        }


def _quiz_attempt(learner: _Learner, course: str, index: int, max_score: int, at: datetime,
                  rng: random.Random) -> dict:
    score = max(0, min(max_score, round(rng.gauss(learner.skill * max_score * 1.05, max_score * 0.2))))
    return {
        "type": "QUIZ_SUBMIT", "student_id": learner.student, "course_id": course,
        "class_id": class_id(course, index), "occurred_at": at,
        "payload": {"quiz_id": quiz_id(course, index), "score": score, "max_score": max_score,
                    "passed": score >= math.ceil(max_score * PASS_SHARE)},
    }


def generate_events(catalog: Catalog, start: datetime, days: int, rng: random.Random) -> Iterator[dict]:
    """Events of every learner, day by day: video pings every 10 s while watching, quiz attempts."""
    steps_of = {course: steps for course, _, steps in COURSES}
    for learner, course in _learners(catalog, rng):
        steps = steps_of[course]
        position, video_done = 0, False  # the step the learner is on, and whether its video is done
        first_day = rng.randrange(0, max(1, days // 3))
        engagement = learner.engagement
        for day in range(first_day, days):
            # multiplicative drift: a disengaged learner stays disengaged instead of being revived by noise
            engagement = min(1.0, engagement * (1 - learner.decay) * math.exp(rng.gauss(0, DRIFT_SIGMA)))
            if engagement < QUIT_BELOW:
                break  # the learner has left the course for good, as most real dropouts do
            if position >= len(steps) or rng.random() > engagement:
                continue
            at = start + timedelta(days=day, hours=rng.randint(7, 21), minutes=rng.randint(0, 59))
            for _ in range(rng.choice((1, 1, 2, 3))):
                if position >= len(steps):
                    break
                _, duration, max_score = steps[position]
                index = position + 1
                if duration and not video_done:
                    pings = list(_video_session(learner, course, index, duration, at, rng))
                    yield from pings
                    at = pings[-1]["occurred_at"] + timedelta(minutes=rng.randint(1, 20))
                    video_done = pings[-1]["payload"]["position"] >= 0.9 * duration
                    if not video_done:
                        break
                if max_score:
                    attempt = _quiz_attempt(learner, course, index, max_score, at, rng)
                    yield attempt
                    at += timedelta(minutes=rng.randint(2, 30))
                    if not attempt["payload"]["passed"]:
                        break
                position, video_done = position + 1, False


def to_json_line(event: dict, event_id: str) -> str:
    record = {"id": event_id, **event, "occurred_at": event["occurred_at"].strftime("%Y-%m-%dT%H:%M:%SZ")}
    return json.dumps(record, separators=(",", ":"))


def tally_delivery(event: dict, event_id: str) -> dict:
    """A quiz attempt as Tally would deliver it: ids in hidden fields, the score as a calculated field."""
    stamp = event["occurred_at"].strftime("%Y-%m-%dT%H:%M:%S.000Z")
    hidden = {"student_id": event["student_id"], "course_id": event["course_id"],
              "class_id": event["class_id"], "quiz_id": event["payload"]["quiz_id"]}
    fields = [{"key": f"question_{k}", "label": k, "type": "HIDDEN_FIELDS", "value": v} for k, v in hidden.items()]
    fields.append({"key": "question_score", "label": "Score", "type": "CALCULATED_FIELDS",
                   "value": event["payload"]["score"]})
    return {"eventId": event_id, "eventType": "FORM_RESPONSE", "createdAt": stamp,
            "data": {"responseId": event_id[-6:], "formId": event["payload"]["quiz_id"], "createdAt": stamp,
                     "fields": fields}}
