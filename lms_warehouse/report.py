"""The HTML report: one self-contained file (inline SVG, inline CSS, no network) with the warehouse's charts.

Each chart answers a question a course team asks and is drawn by Vega-Lite (altair builds the spec,
vl-convert renders it to SVG offline): real axes with ticks, time axes with years, one categorical palette.
Labels are catalog names (courses, classes) or a video's short name, never raw ids or URLs; dates outside the
plausible window (ingestion's vars event_time_earliest / event_time_max_days_ahead) are left out.

Charts live in a registry (`CHARTS`): to add one, write a function that takes a read-only DuckDB connection and
the organization filter (None: all organizations) and returns an altair chart, or None when there is no data,
and decorate it with `@chart(...)`. A chart whose relation is not built says so; an `optional` chart (its
relation is built by a model that may be absent) is left out of the report instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import duckdb

ChartRenderer = Callable[[duckdb.DuckDBPyConnection, "str | None"], Any]

WIDTH = 640
PALETTE = "tableau10"  # one categorical palette for every chart: distinct colours per series
LABEL_CHARS = 38  # longer names are shortened with an ellipsis (the full name is in the tooltip)


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    description: str
    relations: tuple[str, ...]
    render: ChartRenderer
    optional: bool = False


CHARTS: list[Chart] = []


def chart(key: str, title: str, description: str, relations: tuple[str, ...],
          optional: bool = False) -> Callable[[ChartRenderer], ChartRenderer]:
    """Register a chart renderer in CHARTS (in definition order: the report's order)."""
    def register(render: ChartRenderer) -> ChartRenderer:
        CHARTS.append(Chart(key, title, description, relations, render, optional))
        return render
    return register


def _org_filter(organization: str | None, column: str = "organization_id") -> tuple[str, list[str]]:
    return (f"{column} = ?", [organization]) if organization else ("1 = 1", [])


def short(text: str | None, limit: int = LABEL_CHARS) -> str:
    """A label that fits: the text, or its start, an ellipsis and its end (catalog names often differ only at
    the end: "... - step 2", "... - step 3")."""
    text = (text or "").strip()
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return text[:head].rstrip() + "…" + text[-(limit - 1 - head):].lstrip()


def unique_labels(names: list[str], ids: list[str]) -> list[str]:
    """Shortened names, with the id added where two shortened names would be the same bar."""
    labels = [short(name) for name in names]
    repeated = {label for label in labels if labels.count(label) > 1}
    return [f"{short(name, LABEL_CHARS - len(key) - 3)} ({key})" if label in repeated else label
            for name, key, label in zip(names, ids, labels, strict=True)]


def video_label(video_id: str, class_name: str | None) -> str:
    """A video's readable name: the class it belongs to, else the last part of its IRI (never the whole URL)."""
    if class_name:
        return short(class_name)
    tail = video_id.rstrip("/").rsplit("/", 1)[-1].split("://")[-1]
    return short(f"video {tail}")


def _alt() -> Any:
    import altair as alt  # imported when a report is drawn: the CLI stays quick to start

    return alt


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> Any:
    return con.execute(sql, params).df()


@chart("events_per_day", "How active are learners, day by day?",
       "Accepted events per UTC day by type (v_event_daily_stats); days outside the plausible window are left out.",
       ("v_event_daily_stats",))
def events_per_day(con: duckdb.DuckDBPyConnection, organization: str | None) -> Any:
    alt = _alt()
    where, params = _org_filter(organization)
    frame = _frame(con, f"select date, type, sum(count) as events from main.v_event_daily_stats where {where} "
                        "and date between cast(? as date) and cast(? as date) group by 1, 2 order by 1, 2",
                   [*params, *_plausible_dates()])
    if frame.empty:
        return None
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("yearmonthdate(date):T", title="day (UTC)", axis=alt.Axis(format="%d %b %Y", labelAngle=-40)),
        y=alt.Y("sum(events):Q", title="events"),
        color=alt.Color("type:N", title="event type", scale=alt.Scale(scheme=PALETTE)),
        tooltip=["date:T", "type:N", "events:Q"],
    ).properties(width=WIDTH)


@chart("completion_funnel", "Where do learners stop in each course?",
       "Learners per course: enrolled (any progress), started (a class completed), half done (50 % or more), "
       "completed (v_admin_overview; courses by catalog name).", ("v_admin_overview", "lms_course"))
def completion_funnel(con: duckdb.DuckDBPyConnection, organization: str | None) -> Any:
    alt = _alt()
    where, params = _org_filter(organization, "o.organization_id")
    frame = _frame(con, "select coalesce(c.name, o.course_id) as course, sum(o.enrolled_learners) as enrolled, "
                        "sum(o.learners_started) as started, sum(o.learners_half_done) as \"half done\", "
                        "sum(o.learners_completed) as completed from main.v_admin_overview as o "
                        "left join main.lms_course as c "
                        "on c.organization_id = o.organization_id and c.id = o.course_id "
                        f"where {where} group by 1 order by 1", params)
    if frame.empty:
        return None
    frame["course"] = frame["course"].map(short)
    stages = ["enrolled", "started", "half done", "completed"]
    long = frame.melt(id_vars="course", value_vars=stages, var_name="stage", value_name="learners")
    return alt.Chart(long).mark_bar().encode(
        y=alt.Y("stage:N", sort=stages, title=None),
        x=alt.X("learners:Q", title="learners"),
        color=alt.Color("stage:N", sort=stages, title="stage", scale=alt.Scale(scheme=PALETTE)),
        row=alt.Row("course:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left", labelFontWeight="bold")),
        tooltip=["course:N", "stage:N", "learners:Q"],
    ).properties(width=WIDTH - 180)


@chart("slipping_learners", "Who is slipping away?",
       "Learners per course by days since their last activity, counted back from the latest activity in the "
       "warehouse (v_learner_dashboard); completed courses left out. Orange and red: learners to reach out to.",
       ("v_learner_dashboard", "lms_course"))
def slipping_learners(con: duckdb.DuckDBPyConnection, organization: str | None) -> Any:
    alt = _alt()
    where, params = _org_filter(organization, "d.organization_id")
    buckets = ["active in 2 days", "3-7 days", "8-14 days", "15+ days", "never active"]
    frame = _frame(con, "with as_of as (select max(last_activity_at) as at from main.v_learner_dashboard) "
                        "select coalesce(c.name, d.course_id) as course, case "
                        "when d.last_activity_at is null then 'never active' "
                        "when date_diff('day', d.last_activity_at, as_of.at) <= 2 then 'active in 2 days' "
                        "when date_diff('day', d.last_activity_at, as_of.at) <= 7 then '3-7 days' "
                        "when date_diff('day', d.last_activity_at, as_of.at) <= 14 then '8-14 days' "
                        "else '15+ days' end as inactive, count(*) as learners "
                        "from main.v_learner_dashboard as d cross join as_of "
                        "left join main.lms_course as c "
                        "on c.organization_id = d.organization_id and c.id = d.course_id "
                        f"where {where} and not coalesce(cast(d.is_completed as boolean), false) "
                        "group by 1, 2 order by 1, 2", params)
    if frame.empty:
        return None
    frame["course"] = frame["course"].map(short)
    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y("course:N", title=None),
        x=alt.X("sum(learners):Q", title="learners not done yet"),
        color=alt.Color("inactive:N", sort=buckets, title="last activity",
                        scale=alt.Scale(domain=buckets, range=["#4c78a8", "#72b7b2", "#f58518", "#e45756", "#9d755d"])),
        order=alt.Order("bucket_order:Q"),
        tooltip=["course:N", "inactive:N", "learners:Q"],
    ).transform_calculate(bucket_order=f"indexof({buckets!r}, datum.inactive)").properties(width=WIDTH - 200)


@chart("stuck_points", "Which steps block learners?",
       "Classes where learners needed more than the stuck threshold of quiz attempts without passing "
       "(v_stuck_points), by catalog name; the colour is the share of failed attempts.",
       ("v_stuck_points", "lms_class"))
def stuck_points(con: duckdb.DuckDBPyConnection, organization: str | None) -> Any:
    alt = _alt()
    where, params = _org_filter(organization, "s.organization_id")
    frame = _frame(con, "select s.organization_id || '/' || s.class_id as class_key, "
                        "coalesce(min(k.name), s.class_id) as class, sum(s.learners_stuck) as stuck, "
                        "sum(s.failed_quiz_attempts) / nullif(sum(s.quiz_attempts), 0) as fail_rate "
                        "from main.v_stuck_points as s left join main.lms_class as k "
                        "on k.organization_id = s.organization_id and k.id = s.class_id "
                        f"where {where} and s.quiz_attempts > 0 group by s.organization_id, s.class_id "
                        "having sum(s.learners_stuck) > 0 order by 3 desc, 4 desc, 1 limit 15", params)
    if frame.empty:
        return None
    frame["class"] = unique_labels(list(frame["class"]), [key.split("/", 1)[1] for key in frame["class_key"]])
    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y("class:N", sort="-x", title=None),
        x=alt.X("stuck:Q", title="learners stuck"),
        color=alt.Color("fail_rate:Q", title="failed attempts", scale=alt.Scale(scheme="orangered", domain=[0, 1]),
                        legend=alt.Legend(format=".0%")),
        tooltip=["class:N", "stuck:Q", alt.Tooltip("fail_rate:Q", format=".0%")],
    ).properties(width=WIDTH - 220)


@chart("mastery_by_competency", "Which skills are acquired?",
       "Share of learners per mastery level for each competency (v_skill_mastery): not acquired, in progress, "
       "acquired, expert.", ("v_skill_mastery",))
def mastery_by_competency(con: duckdb.DuckDBPyConnection, organization: str | None) -> Any:
    alt = _alt()
    where, params = _org_filter(organization)
    frame = _frame(con, f"select competency_code, level, count(*) as learners from main.v_skill_mastery where {where} "
                        "group by 1, 2 order by 1, 2", params)
    if frame.empty:
        return None
    names = {"non_acquis": "not acquired", "en_cours": "in progress", "acquis": "acquired", "expert": "expert"}
    frame["level"] = frame["level"].map(lambda level: names.get(level, level))
    levels = list(names.values())
    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y("competency_code:N", title="competency"),
        x=alt.X("sum(learners):Q", stack="normalize", title="share of learners", axis=alt.Axis(format=".0%")),
        color=alt.Color("level:N", sort=levels, title="mastery",
                        scale=alt.Scale(domain=levels, range=["#e45756", "#f2cf5b", "#54a24b", "#2e6b30"])),
        order=alt.Order("level_order:Q"),
        tooltip=["competency_code:N", "level:N", "learners:Q"],
    ).transform_calculate(level_order=f"indexof({levels!r}, datum.level)").properties(width=WIDTH - 160)


@chart("xp_leaderboard", "Who leads on XP?", "The 20 learners with the most XP (v_leaderboard; rank 1 = most points).",
       ("v_leaderboard",))
def xp_leaderboard(con: duckdb.DuckDBPyConnection, organization: str | None) -> Any:
    alt = _alt()
    where, params = _org_filter(organization)
    frame = _frame(con, f"select organization_id, student_id, rank, total_points from main.v_leaderboard where {where} "
                        "order by total_points desc, rank, organization_id, student_id limit 20", params)
    if frame.empty:
        return None
    several = frame["organization_id"].nunique() > 1
    frame["learner"] = [f"#{rank} {org + ' / ' if several else ''}{student}" for org, student, rank in
                        zip(frame["organization_id"], frame["student_id"], frame["rank"], strict=True)]
    return alt.Chart(frame).mark_bar(color="#4c78a8").encode(
        y=alt.Y("learner:N", sort="-x", title=None),
        x=alt.X("total_points:Q", title="XP"),
        tooltip=["learner:N", "total_points:Q"],
    ).properties(width=WIDTH - 200)


@chart("video_dropoff", "Where do viewers leave, and what gets rewatched?",
       "Viewers per segment of the three most watched videos (v_video_segments): a falling line is the "
       "audience leaving; views above viewers (tooltip) are rewatches. Videos by class name or short name.",
       ("v_video_segments", "v_video_summary", "lms_class"), optional=True)
def video_dropoff(con: duckdb.DuckDBPyConnection, organization: str | None) -> Any:
    alt = _alt()
    where, params = _org_filter(organization, "s.organization_id")
    frame = _frame(con, "with top as (select organization_id, video_id from main.v_video_segments as s "
                        f"where {where} and viewers > 0 group by 1, 2 order by max(viewers) desc, 1, 2 limit 3), "
                        "names as (select v.organization_id, v.video_id, min(k.name) as class_name "
                        "from main.v_video_summary as v join main.lms_class as k on k.organization_id = "
                        "v.organization_id and k.id = v.class_id group by 1, 2) "
                        "select s.video_id, names.class_name, s.segment_start_sec, s.viewers, s.views "
                        "from main.v_video_segments as s join top using (organization_id, video_id) "
                        "left join names using (organization_id, video_id) order by 1, 3", params)
    if frame.empty:
        return None
    frame["video"] = [video_label(v, n) for v, n in zip(frame["video_id"], frame["class_name"], strict=True)]
    return alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("segment_start_sec:Q", title="position in the video (s)"),
        y=alt.Y("viewers:Q", title="viewers"),
        color=alt.Color("video:N", title="video", scale=alt.Scale(scheme=PALETTE)),
        tooltip=["video:N", "segment_start_sec:Q", "viewers:Q", "views:Q"],
    ).properties(width=WIDTH - 160)


def _plausible_dates() -> tuple[str, str]:
    """The ingestion's plausible window of event times, as dates."""
    from ingestion.events import plausible_event_window

    earliest, latest = plausible_event_window(datetime.now(UTC).replace(tzinfo=None))
    return earliest.date().isoformat(), latest.date().isoformat()


def to_svg(chart_spec: Any) -> str:
    """The chart as inline SVG, rendered offline by vl-convert (no browser, no network)."""
    import vl_convert

    return vl_convert.vegalite_to_svg(chart_spec.configure_view(stroke=None).to_json())


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 860px; color: #222; }
figure { margin: 0 0 2.5rem 0; } figcaption { color: #555; margin: .25rem 0 .75rem 0; }
h2 { margin-bottom: 0; font-size: 1.15rem; } .no-data { color: #8a4b00; font-style: italic; }
"""
# Runs in the browser only: records each chart's drawn size, so a headless browser can prove it rendered.
MEASURE = """
for (const svg of document.querySelectorAll('figure.chart svg')) {
  const box = svg.getBBox();
  svg.closest('figure').dataset.renderedArea = String(Math.round(box.width * box.height));
}
"""


def _existing_relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {name for (name,) in con.execute(
        "select table_name from information_schema.tables where table_schema = 'main'").fetchall()}


def render_report(con: duckdb.DuckDBPyConnection, organization: str | None = None,
                  title: str = "Learning analytics report") -> tuple[str, list[str]]:
    """The report's HTML and the keys of the charts that have data."""
    existing = _existing_relations(con)
    sections, drawn = [], []
    for item in CHARTS:
        missing = [name for name in item.relations if name not in existing]
        if missing and item.optional:
            continue
        spec = None if missing else item.render(con, organization)
        if spec is None:
            reason = f"relation {', '.join(missing)} is not built" if missing else "the relation has no rows"
            content = f'<p class="no-data">No data: {escape(reason)}.</p>'
        else:
            content = to_svg(spec)
            drawn.append(item.key)
        sections.append(f'<figure class="chart" data-chart="{item.key}"><h2>{escape(item.title)}</h2>'
                        f"<figcaption>{escape(item.description)}</figcaption>{content}</figure>")
    scope = f"organization {organization}" if organization else "all organizations"
    html = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
            f"<h1>{escape(title)}</h1><p>{escape(scope)}; every chart is drawn from the warehouse's marts.</p>"
            + "".join(sections) + f"<script>{MEASURE}</script></body></html>\n")
    return html, drawn


def write_report(warehouse: Path, target: Path, organization: str | None = None) -> list[str]:
    """Write the report of `warehouse` to `target`; returns the keys of the charts drawn."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        html, drawn = render_report(con, organization)
    finally:
        con.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    return drawn
