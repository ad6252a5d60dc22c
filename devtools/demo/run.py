"""`lms-warehouse demo` (what `make demo` runs): demo inputs -> the scheduled job -> a short summary."""

from __future__ import annotations

import gzip
import json
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from devtools.demo.data import Catalog, build_catalog, generate_events, tally_delivery, to_json_line
from devtools.demo.mooc import build_mooc_dataset
from devtools.demo.xapi import write_demo_xapi
from ingestion.warehouse import warehouse_path
from lms_warehouse.cli_support import CommandError

# The demo's clock is fixed so that `make demo` gives the same warehouse, streaks and windows every day.
DEMO_NOW = datetime(2026, 11, 16, 18, 0, 0)
DEMO_DAYS = 28
DEMO_STUDENTS = 300
DEMO_SEED = 20261116
TALLY_SHARE = 0.1  # share of quiz attempts delivered as Tally webhooks instead of canonical events

SUMMARY_RELATIONS = (
    "lms_student", "lms_course", "lms_class", "lms_event", "lms_signal", "v_user_progress",
    "v_course_progress", "v_event_daily_stats", "v_signal_summary", "v_user_activity",
    "gamification_award", "v_leaderboard", "v_streak_history", "hearts_history",
    "enrollments", "raw_data", "raw_data_daily",
)


@dataclass(frozen=True)
class DemoInputs:
    events_dir: Path
    catalog_dir: Path
    catalog: Catalog
    events: list[dict]  # the generated learner events, `occurred_at` as naive UTC datetimes
    start: datetime  # midnight of the first demo day


def _bad_records(first_event: dict) -> list[str]:
    """Records a real feed also sends: each must land in the rejects relation or in monitoring."""
    conflicting = dict(first_event, student_id="stu-00002")
    return [
        "{not json at all",
        json.dumps(["an", "array", "is not an event"]),
        json.dumps({"id": "evt-bad-1", "type": "VIDEO_PING", "student_id": "stu-00001",
                    "occurred_at": "yesterday", "payload": {"position": 1, "duration": 10}}),
        json.dumps({"id": "evt-bad-2", "type": "VIDEO_PING", "student_id": "stu-00001",
                    "occurred_at": "2026-11-01T10:00:00Z", "payload": {"position": 5, "duration": 0}}),
        json.dumps({"id": "evt-bad-3", "type": "QUIZ_SUBMIT", "student_id": "stu-00001",
                    "occurred_at": "2026-11-01T10:00:00Z",
                    "payload": {"quiz_id": "quiz-sql-02", "score": 12, "max_score": 10, "passed": True}}),
        json.dumps({"id": "evt-extra-1", "type": "PAGE_VIEW", "student_id": "stu-00003",
                    "course_id": "course-sql", "class_id": "cls-sql-01", "occurred_at": "2026-11-10T09:00:00Z",
                    "payload": {"url": "/courses/sql"}}),
        json.dumps({"id": "evt-ghost-1", "type": "VIDEO_PING", "student_id": "stu-ghost",
                    "course_id": "course-sql", "class_id": "cls-sql-01", "occurred_at": "2026-11-10T09:00:00Z",
                    "payload": {"video_id": "vid-sql-01", "position": 60, "duration": 180}}),
        to_json_line(first_event, "evt-00000001"),  # a duplicate of an event already sent
        to_json_line(conflicting, "evt-00000001"),  # same id, other content: a conflicting duplicate
    ]


def _write_lms_awards(catalog_dir: Path, start: datetime) -> None:
    """Badge awards the LMS itself sent: a retired badge (only the LMS awards it) and one the warehouse
    would compute too (kept once, with the LMS's id and time)."""
    stamp = (start + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    awards = [{"id": f"lms-award-{n}", "badge_id": "badge-beta-tester", "student_id": f"stu-{n:05d}",
               "awarded_at": stamp, "context_json": json.dumps({"reason": "platform beta"}), "created_at": stamp}
              for n in range(1, 6)]
    awards.append({"id": "lms-award-first-video", "badge_id": "badge-first-video", "student_id": "stu-00001",
                   "awarded_at": stamp, "created_at": stamp})
    (catalog_dir / "gamification_award.json").write_text(json.dumps(awards, indent=1))


def write_demo_inputs(folder: Path) -> DemoInputs:
    """Demo catalog and event files in every supported shape: ndjson, gzip, a Tally array, bad records."""
    rng = random.Random(DEMO_SEED)
    start = (DEMO_NOW - timedelta(days=DEMO_DAYS)).replace(hour=0, minute=0)
    catalog = build_catalog(DEMO_STUDENTS, start - timedelta(days=30), rng)
    catalog_dir, events_dir = folder / "catalog", folder / "events"
    catalog_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in (("student", catalog.students), ("instructor", catalog.instructors),
                       ("course", catalog.courses), ("class", catalog.classes)):
        (catalog_dir / f"lms_{name}.json").write_text(json.dumps(rows, indent=1))

    _write_lms_awards(catalog_dir, start)

    events = sorted(generate_events(catalog, start, DEMO_DAYS, rng), key=lambda e: e["occurred_at"])
    recent, older, tally = [], [], []
    first_week_end = start + timedelta(days=7)
    for n, event in enumerate(events, start=1):
        event_id = f"evt-{n:08d}"
        if event["type"] == "QUIZ_SUBMIT" and rng.random() < TALLY_SHARE:
            tally.append(tally_delivery(event, event_id))
        elif event["occurred_at"] < first_week_end:
            older.append(to_json_line(event, event_id))
        else:
            recent.append(to_json_line(event, event_id))
    for sub in ("archive", "tally", "feeds"):
        (events_dir / sub).mkdir(parents=True, exist_ok=True)
    with gzip.open(events_dir / "archive" / "first_week.ndjson.gz", "wt") as handle:
        handle.write("\n".join(older) + "\n")
    (events_dir / "feeds" / "events.ndjson").write_text("\n".join(recent) + "\n")
    (events_dir / "tally" / "quiz_deliveries.json").write_text(json.dumps(tally, indent=1))
    (events_dir / "feeds" / "partner_feed.jsonl").write_text("\n".join(_bad_records(events[0])) + "\n")
    write_demo_xapi(events_dir, catalog, rng)  # xAPI video statements (devtools/demo/xapi.py)
    return DemoInputs(events_dir=events_dir, catalog_dir=catalog_dir, catalog=catalog, events=events, start=start)


def print_summary(say: Callable[[str], None]) -> None:
    import duckdb

    con = duckdb.connect(str(warehouse_path()), read_only=True)
    try:
        say(f"warehouse: {warehouse_path()} (rows per relation)")
        counts = [(relation, con.execute(f"select count(*) from main.{relation}").fetchone()[0])
                  for relation in SUMMARY_RELATIONS]
        counts.append(("landing.lms_event_rejects (quarantined)",
                       con.execute("select count(*) from landing.lms_event_rejects").fetchone()[0]))
        # three to a line: the summary fits on one screen with the report's and the next steps' lines
        for start in range(0, len(counts), 3):
            say("  " + "   ".join(f"{name} {n:,}" for name, n in counts[start:start + 3]))
        signals = con.execute("select type, count(*) from main.lms_signal group by 1 order by 1").fetchall()
        say("signals by type: " + ", ".join(f"{kind} {n:,}" for kind, n in signals))
    finally:
        con.close()


def demo_marker(warehouse: Path) -> Path:
    """Written beside a warehouse the demo made: only such a file may be replaced by the next demo."""
    return warehouse.with_name(warehouse.name + ".demo")


def start_demo_warehouse(warehouse: Path, say: Callable[[str], None]) -> None:
    """The demo always builds from scratch at its fixed clock (its snapshots are fetched as of past days, which a
    continued warehouse would contradict): a previous demo warehouse is replaced, and said so; any other file at
    that path is refused with one line, never touched."""
    if warehouse.exists():
        if not (demo_marker(warehouse).exists() or _landed_demo_inputs_only(warehouse)):
            raise CommandError(f"{warehouse} holds a warehouse the demo did not make: the demo does not overwrite "
                               "it; set LMS_WAREHOUSE_PATH to another file for the demo")
        for leftover in (warehouse, warehouse.with_name(warehouse.name + ".wal")):
            leftover.unlink(missing_ok=True)
        say(f"rebuilding the demo warehouse {warehouse} from scratch (the previous demo's is replaced)")
    else:
        say(f"building the demo warehouse {warehouse}")
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    demo_marker(warehouse).write_text("made by `lms-warehouse demo`; the next demo replaces this warehouse\n")


def _landed_demo_inputs_only(warehouse: Path) -> bool:
    """A warehouse of an older demo (made before the marker): every batch it landed came from demo inputs."""
    import duckdb

    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error:
        return False
    try:
        (demo, other) = con.execute(
            "select count(*) filter (where sources like '%demo_input%' or sources like 'http://mooc-simulator.demo%'),"
            " count(*) filter (where not (sources like '%demo_input%' or sources like 'http://mooc-simulator.demo%'))"
            " from landing.ingest_batches").fetchone()
    except duckdb.Error:
        return False
    finally:
        con.close()
    return demo > 0 and other == 0


def run_demo(say: Callable[[str], None], progress: Callable[[str], None]) -> int:
    from devtools.demo.exports import fetch_demo_exports
    from lms_warehouse.pipeline import run_pipeline, use_project_dagster_home

    start_demo_warehouse(warehouse_path(), say)
    inputs = write_demo_inputs(warehouse_path().parent / "demo_input")
    progress(f"demo inputs written to {inputs.events_dir.parent}")
    progress("fetching weekly MOOC and H5P snapshots from the simulator (in process, over httpx)")
    fetches = fetch_demo_exports(inputs.catalog, inputs.events, inputs.start, DEMO_NOW,
                                 random.Random(DEMO_SEED), progress=progress)
    say(f"MOOC/H5P: {len(fetches)} fetches landed; the last: {fetches[-1]}")
    os.environ["LMS_LANDING_DIR"] = str(inputs.events_dir)
    os.environ["LMS_CATALOG_DIR"] = str(inputs.catalog_dir)
    home = use_project_dagster_home()
    outcome = run_pipeline(as_of=DEMO_NOW)
    say(f"the run is recorded in the Dagster instance {home} (`make dagster` shows it)")
    for line in outcome.lines:
        say(line)
    if not outcome.success:
        say("demo run failed: see the failed steps above")
        return 1
    say(f"demo built as of {DEMO_NOW.isoformat(sep=' ')} UTC")
    print_summary(say)
    from lms_warehouse.report import write_report

    report = warehouse_path().parent / "report.html"
    drawn = write_report(warehouse_path(), report)
    say(f"report ({len(drawn)} charts): {report}")
    _say_risk_evaluation(say)
    for line in next_steps(warehouse_path(), report):
        say(line)
    return 0


def next_steps(warehouse: Path, report: Path) -> list[str]:
    return [
        "next:",
        f"  open the report:        xdg-open {report}   (or open it in any browser)",
        "  the Dagster UI:         make dagster        (http://localhost:3000: the graph and this run)",
        "  the dbt docs:           make docs           (http://localhost:8080: every model and column)",
        f"  query it:               .venv/bin/python -c \"import duckdb; print(duckdb.connect('{warehouse}', "
        "read_only=True).sql('select * from v_course_progress limit 5'))\"",
    ]


def _say_risk_evaluation(say: Callable[[str], None]) -> None:
    import duckdb

    from lms_warehouse.risk_eval import evaluate_risk

    con = duckdb.connect(str(warehouse_path()), read_only=True)
    try:
        lines = evaluate_risk(con).lines()
    finally:
        con.close()
    say("dropout risk score on raw_data_daily's observed labels (`lms-warehouse evaluate-risk`):")
    for line in lines:
        say(f"  {line}")


def demo_mooc_dataset() -> dict[str, Any]:
    """The demo's MOOC/H5P dataset (the learners and courses of `make demo`), which `lms-warehouse simulate` serves."""
    rng = random.Random(DEMO_SEED)  # the draws write_demo_inputs makes, in the same order
    start = (DEMO_NOW - timedelta(days=DEMO_DAYS)).replace(hour=0, minute=0)
    catalog = build_catalog(DEMO_STUDENTS, start - timedelta(days=30), rng)
    events = sorted(generate_events(catalog, start, DEMO_DAYS, rng), key=lambda e: e["occurred_at"])
    return build_mooc_dataset(catalog, events, DEMO_NOW, random.Random(DEMO_SEED))
