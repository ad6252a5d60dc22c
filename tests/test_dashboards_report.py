"""Mastery, dashboards and the HTML report on a real build of a small demo cohort, the report opened in Chromium."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from warehouse_cli import CLI, query, run_commands

from devtools.demo.data import build_catalog, generate_events, to_json_line
from devtools.demo.xapi import write_demo_xapi
from ingestion.catalog import ingest_catalog_dir
from ingestion.events import ingest_event_paths
from ingestion.warehouse import write_session
from lms_warehouse.report import CHARTS, LABEL_CHARS, render_report, short, unique_labels, video_label

pytestmark = pytest.mark.e2e  # builds the warehouse with dbt (left out of `make test-fast`)

AS_OF = datetime(2026, 11, 16, 18, 0, 0)  # the demo's: its xAPI video statements fall in the window
DAYS = 14
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"  # kept after the run (gitignored)


@pytest.fixture(scope="module")
def cohort_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 demo learners over two weeks (pings, quizzes, xAPI video statements), ingested and built as of AS_OF."""
    folder = tmp_path_factory.mktemp("cohort")
    rng = random.Random(5)
    start = AS_OF.replace(hour=0) - timedelta(days=DAYS)
    catalog = build_catalog(40, start - timedelta(days=10), rng)
    (folder / "catalog").mkdir()
    for name, rows in (("student", catalog.students), ("instructor", catalog.instructors),
                       ("course", catalog.courses), ("class", catalog.classes)):
        (folder / "catalog" / f"lms_{name}.json").write_text(json.dumps(rows))
    events = sorted(generate_events(catalog, start, DAYS, rng), key=lambda e: e["occurred_at"])
    (folder / "events").mkdir()
    write_demo_xapi(folder / "events", catalog, rng)
    (folder / "events" / "events.ndjson").write_text(
        "\n".join(to_json_line(event, f"evt-{n:06d}") for n, event in enumerate(events, start=1)) + "\n")
    path = folder / "lms.duckdb"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LMS_WAREHOUSE_PATH", str(path))
        with write_session(path) as con:
            ingest_catalog_dir(con, folder / "catalog")
            ingest_event_paths(con, [folder / "events"])
    # the CLI in its own process, as a user runs it: dbt's in-process handle would keep the file locked
    run_commands(path, ("build", "--as-of", AS_OF.isoformat()))
    return path


def _cli(warehouse: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, LMS_WAREHOUSE_PATH=str(warehouse))
    return subprocess.run([str(CLI), *args], env=env, capture_output=True, text=True, check=False)


def _chromium() -> str:
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    pytest.fail("headless Chromium is required to check the report and was not found: install Debian's package "
                "(apt-get install -y chromium; .ci/run and `make test` do it)")


class _Figures(HTMLParser):
    """Each chart figure of a dumped DOM: its key, the size the browser drew, its SVG shapes, a no-data note."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: dict[str, dict] = {}
        self._current: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "figure" and attributes.get("data-chart"):
            self._current = {"area": int(attributes.get("data-rendered-area") or 0), "shapes": 0, "no_data": False}
            self.figures[str(attributes["data-chart"])] = self._current
        elif self._current is not None and tag in {"rect", "polyline", "circle", "line", "path"}:
            self._current["shapes"] += 1
        elif self._current is not None and tag == "p" and "no-data" in (attributes.get("class") or ""):
            self._current["no_data"] = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure":
            self._current = None


def test_time_on_task_rolls_up_from_pings_to_dashboards(cohort_warehouse: Path) -> None:
    pair_total, pairs = query(cohort_warehouse, "select sum(time_spent_sec), count(*) from main.v_user_progress "
                                                 "where video_duration_sec is not null")[0]
    pings = query(cohort_warehouse, "select count(*) from main.lms_event where type = 'VIDEO_PING' "
                                     "and class_id is not null")[0][0]
    # demo players ping every 10 s and sessions are hours apart: every ping counts exactly the 10 s cap
    assert pairs > 0 and pair_total == 10 * pings
    assert query(cohort_warehouse, "select sum(time_spent_sec) from intermediate.int_time_on_task")[0][0] == pair_total
    by_course = dict(query(cohort_warehouse, "select course_id, sum(time_spent_sec) from main.v_user_progress "
                                              "where course_id is not null group by 1"))
    overview = dict(query(cohort_warehouse, "select course_id, time_spent_sec from main.v_admin_overview"))
    dashboard = dict(query(cohort_warehouse, "select course_id, sum(time_spent_sec) from main.v_learner_dashboard "
                                              "group by 1"))
    assert overview == pytest.approx(by_course) and dashboard == pytest.approx(by_course)


def test_dashboards_cover_every_learner_and_course(cohort_warehouse: Path) -> None:
    learner_courses = query(cohort_warehouse, "select count(*) from main.v_course_progress")[0][0]
    assert query(cohort_warehouse, "select count(*) from main.v_learner_dashboard")[0][0] == learner_courses
    enrolled = query(cohort_warehouse, "select sum(enrolled_learners), sum(learners_completed), "
                                        "sum(learners_at_risk) from main.v_admin_overview")[0]
    assert enrolled[0] == learner_courses
    completed, at_risk = query(cohort_warehouse, "select sum(is_completed), sum(is_at_risk) "
                                                  "from main.v_learner_dashboard")[0]
    assert (enrolled[1], enrolled[2]) == (completed, at_risk)
    # the daily companion ends on the as-of day with the same completions as the overview
    last_day = query(cohort_warehouse, "select sum(learners_completed) from main.v_admin_overview_daily "
                                        f"where date = date '{AS_OF.date()}'")[0][0]
    assert last_day == completed
    # engagement comes from the gamification marts, learner by learner
    mismatched = query(cohort_warehouse, "select count(*) from main.v_learner_dashboard as d "
                                          "left join main.v_leaderboard as l on d.organization_id = l.organization_id "
                                          "and d.student_id = l.student_id left join main.hearts as h "
                                          "on d.organization_id = h.organization_id and d.student_id = h.student_id "
                                          "where d.total_points <> coalesce(l.total_points, 0) "
                                          "or d.hearts is distinct from h.hearts")[0][0]
    assert mismatched == 0
    assert query(cohort_warehouse, "select max(total_points) from main.v_learner_dashboard")[0][0] > 0
    levels = {level for (level,) in query(cohort_warehouse, "select distinct level from main.v_skill_mastery")}
    assert levels and levels <= {"non_acquis", "en_cours", "acquis", "expert"}


def test_report_opens_in_headless_chromium_with_every_chart_drawn(cohort_warehouse: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    result = _cli(cohort_warehouse, "report", str(target))
    assert result.returncode == 0, result.stderr
    assert str(target) in result.stdout
    html = target.read_text()
    # self-contained: nothing in it makes the browser fetch anything (a video IRI shown as text is no request)
    for fetching in ("<link", " src=", " href=", "@import", "<iframe", "<img"):
        assert fetching not in html, f"the report would fetch something: {fetching}"
    assert not re.search(r"url\((?!#)", html), "the report would fetch something: a url() that is not local"

    dom = subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
         "--dump-dom", target.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "CONSOLE" not in dom.stderr and "Uncaught" not in dom.stderr, dom.stderr[-2000:]
    # the screenshot a person would see, kept as the test's artifact
    ARTIFACTS.mkdir(exist_ok=True)
    shot = subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=900,5200",
         f"--screenshot={ARTIFACTS / 'report.png'}", target.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert shot.returncode == 0 and (ARTIFACTS / "report.png").stat().st_size > 50_000, shot.stderr[-2000:]
    parser = _Figures()
    parser.feed(dom.stdout)
    built = {name for (name,) in query(cohort_warehouse,
                                        "select table_name from information_schema.tables where table_schema = 'main'")}
    expected = [chart.key for chart in CHARTS if not (chart.optional and not set(chart.relations) <= built)]
    assert list(parser.figures) == expected
    for chart in CHARTS:
        if chart.key not in parser.figures:
            continue
        figure = parser.figures[chart.key]
        if set(chart.relations) <= built:
            assert figure["shapes"] > 0 and figure["area"] > 0, f"{chart.key}: no chart drawn ({figure})"
        else:
            assert figure["no_data"] and figure["shapes"] == 0, f"{chart.key}: its relation is missing: {figure}"
    assert {"events_per_day", "completion_funnel", "xp_leaderboard", "slipping_learners", "mastery_by_competency",
            "stuck_points", "video_dropoff"} <= {key for key, figure in parser.figures.items() if figure["area"] > 0}


def test_report_charts_read_well(cohort_warehouse: Path) -> None:
    # drawn by Vega-Lite: axes with ticks, years on the time axis, names instead of ids and URLs
    con = duckdb.connect(str(cohort_warehouse), read_only=True)
    try:
        html, _ = render_report(con)
        course_names = [name for (name,) in con.execute("select name from main.lms_course").fetchall()]
    finally:
        con.close()
    figures = dict(re.findall(r'<figure class="chart" data-chart="([a-z_]+)">(.*?)</figure>', html, re.S))
    labels = {key: re.findall(r"<text[^>]*>([^<]*)</text>", body) for key, body in figures.items()}
    assert any(re.fullmatch(rf"\d\d \w{{3}} {AS_OF.year}", label) for label in labels["events_per_day"])
    assert sum(label.replace(",", "").isdigit() for label in labels["events_per_day"]) >= 4  # y ticks, not 0 and max
    assert any(name in labels["completion_funnel"] for name in course_names)
    for key, texts in labels.items():
        assert not any("://" in text for text in texts), f"{key} shows a raw URL: {[t for t in texts if '://' in t]}"
    colours = {key: set(re.findall(r'fill="(#[0-9a-f]{6})"', body)) for key, body in figures.items()}
    assert len(colours["events_per_day"]) >= 4  # a distinct colour per event type


def test_labels_are_short_and_videos_never_show_their_url() -> None:
    assert len(short("x" * 100)) == LABEL_CHARS and "…" in short("x" * 100)
    long_names = ["Introduction to machine learning - step 2", "Introduction to machine learning - step 3"]
    assert len({short(name) for name in long_names}) == 2  # names that differ at the end stay apart
    assert len(set(unique_labels(["Same name", "Same name"], ["k1", "k2"]))) == 2
    assert video_label("https://lms.example/videos/intro-to-sql", None) == "video intro-to-sql"
    assert video_label("uuid://1b2c", None) == "video 1b2c"
    assert video_label("https://lms.example/v/1", "SQL fundamentals: day 3") == "SQL fundamentals: day 3"


def test_report_says_no_data_for_empty_relations(cohort_warehouse: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.duckdb"
    con = duckdb.connect(str(cohort_warehouse))
    try:  # the same relations with the same columns, and no rows
        con.execute(f"attach '{empty}' as empty")
        built = {name for (name,) in con.execute(
            "select table_name from information_schema.tables where table_catalog = current_database() "
            "and table_schema = 'main'").fetchall()}
        for relation in sorted({name for chart in CHARTS for name in chart.relations} & built):
            con.execute(f"create table empty.main.{relation} as select * from main.{relation} limit 0")
        con.execute("detach empty")
    finally:
        con.close()
    con = duckdb.connect(str(empty), read_only=True)
    try:
        html, drawn = render_report(con)
    finally:
        con.close()
    assert drawn == []
    shown = [chart for chart in CHARTS if not (chart.optional and not set(chart.relations) <= built)]
    assert html.count('class="no-data"') == len(shown)
    assert "<svg" not in html


def test_report_command_explains_a_missing_warehouse(tmp_path: Path) -> None:
    result = _cli(tmp_path / "none.duckdb", "report", str(tmp_path / "r.html"))
    assert result.returncode == 1
    assert "no warehouse at" in result.stderr and not (tmp_path / "r.html").exists()
