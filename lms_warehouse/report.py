"""The HTML report: one self-contained file (inline SVG, inline CSS, no network) with the warehouse's charts.

Charts live in a registry (`CHARTS`): to add one, write a function that takes a read-only DuckDB connection
and the organization filter (None: all organizations) and returns the chart's SVG, or None when there is no
data, and decorate it with `@chart(...)`. A chart whose relation is not built says so; an `optional` chart
(its relation is built by a model that may be absent) is left out of the report instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path

import duckdb

from lms_warehouse import svg

ChartRenderer = Callable[[duckdb.DuckDBPyConnection, "str | None"], "str | None"]


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


@chart("events_per_day", "Events per day by type",
       "Accepted events per UTC day (v_event_daily_stats), stacked by type.", ("v_event_daily_stats",))
def events_per_day(con: duckdb.DuckDBPyConnection, organization: str | None) -> str | None:
    where, params = _org_filter(organization)
    rows = con.execute(f"select cast(date as varchar), type, sum(count) from main.v_event_daily_stats where {where} "
                       "group by 1, 2 order by 1, 2", params).fetchall()
    if not rows:
        return None
    dates = sorted({date for date, _, _ in rows})
    types = sorted({kind for _, kind, _ in rows})
    series = {kind: [0.0] * len(dates) for kind in types}
    for date, kind, count in rows:
        series[kind][dates.index(date)] = float(count)
    return svg.columns([d[5:] for d in dates], series, "events per day by type", x_title="day (UTC)",
                       y_title="events")


@chart("completion_funnel", "Course completion funnel",
       "Learners per course: enrolled (any progress) → started (a class completed) → half done (≥ 50 %) → "
       "completed (v_admin_overview).", ("v_admin_overview",))
def completion_funnel(con: duckdb.DuckDBPyConnection, organization: str | None) -> str | None:
    where, params = _org_filter(organization)
    rows = con.execute("select course_id, sum(enrolled_learners), sum(learners_started), sum(learners_half_done), "
                       f"sum(learners_completed) from main.v_admin_overview where {where} group by 1 order by 1",
                       params).fetchall()
    if not rows:
        return None
    stages = ("enrolled", "started", "half done", "completed")
    bars = [(f"{course} · {stage}", float(value))
            for course, *values in rows for stage, value in zip(stages, values, strict=True)]
    return svg.bar_rows(bars, "course completion funnel")


@chart("xp_leaderboard", "XP leaderboard, top 20", "Learners with the most XP (v_leaderboard; rank 1 = most points).",
       ("v_leaderboard",))
def xp_leaderboard(con: duckdb.DuckDBPyConnection, organization: str | None) -> str | None:
    where, params = _org_filter(organization)
    rows = con.execute(f"select organization_id, student_id, rank, total_points from main.v_leaderboard where {where} "
                       "order by total_points desc, rank, organization_id, student_id limit 20", params).fetchall()
    if not rows:
        return None
    several = len({org for org, *_ in rows}) > 1
    return svg.bar_rows([(f"#{rank} {org + ' / ' if several else ''}{student}", float(points))
                         for org, student, rank, points in rows], "XP leaderboard", value_suffix=" XP")


@chart("streak_distribution", "Streak length distribution",
       "Learners by current streak (consecutive active days up to as-of, v_user_activity.streak_days).",
       ("v_user_activity",))
def streak_distribution(con: duckdb.DuckDBPyConnection, organization: str | None) -> str | None:
    where, params = _org_filter(organization)
    rows = con.execute(f"select streak_days, count(*) from main.v_user_activity where {where} group by 1 order by 1",
                       params).fetchall()
    if not rows:
        return None
    counts = dict(rows)
    lengths = list(range(0, max(counts) + 1))
    return svg.columns([str(n) for n in lengths], {"learners": [float(counts.get(n, 0)) for n in lengths]},
                       "streak length distribution", x_title="streak (days)", y_title="learners")


@chart("mastery_by_competency", "Mastery by competency",
       "Learners per competency by level: non_acquis < 0.4 ≤ en_cours < 0.7 ≤ acquis < 0.9 ≤ expert (v_skill_mastery).",
       ("v_skill_mastery",))
def mastery_by_competency(con: duckdb.DuckDBPyConnection, organization: str | None) -> str | None:
    where, params = _org_filter(organization)
    levels = ("non_acquis", "en_cours", "acquis", "expert")
    rows = con.execute(
        "select competency_code, round(avg(mastery_score), 2), "
        + ", ".join(f"count(case when level = '{level}' then 1 end)" for level in levels)
        + f" from main.v_skill_mastery where {where} group by 1 order by 1", params).fetchall()
    if not rows:
        return None
    return svg.stacked_bar_rows([(f"{code} (mean {mean:.2f})", [float(n) for n in counts])
                                 for code, mean, *counts in rows], levels, "mastery by competency")


@chart("stuck_points", "Stuck points",
       "Classes where most learners needed more than 3 attempts to pass (v_stuck_points), with the fail rate.",
       ("v_stuck_points",))
def stuck_points(con: duckdb.DuckDBPyConnection, organization: str | None) -> str | None:
    where, params = _org_filter(organization)
    rows = con.execute(
        "select class_id, sum(learners_stuck), sum(failed_quiz_attempts) / nullif(sum(quiz_attempts), 0) "
        f"from main.v_stuck_points where {where} and quiz_attempts > 0 group by 1 "
        "order by 2 desc, 3 desc, 1 limit 15", params).fetchall()
    if not rows:
        return None
    return svg.bar_rows([(f"{cls} · fail {100 * (rate or 0):.0f} %", float(stuck)) for cls, stuck, rate in rows],
                        "stuck points", value_suffix=" stuck")


@chart("video_dropoff", "Video drop-off",
       "Viewers per segment of the most watched video (v_video_segments): where the audience leaves.",
       ("v_video_segments",), optional=True)
def video_dropoff(con: duckdb.DuckDBPyConnection, organization: str | None) -> str | None:
    where, params = _org_filter(organization)
    top = con.execute(f"select organization_id, video_id from main.v_video_segments where {where} and viewers > 0 "
                      "group by 1, 2 order by max(viewers) desc, 1, 2 limit 1", params).fetchone()
    if top is None:
        return None
    points = con.execute("select segment_start_sec, viewers from main.v_video_segments "
                         "where organization_id = ? and video_id = ? order by 1", list(top)).fetchall()
    return svg.line([(float(x), float(y)) for x, y in points], f"drop-off of {top[1]}",
                    x_title=f"{top[1]}: position (s)", y_title="viewers")


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 820px; color: #222; }
figure { margin: 0 0 2.5rem 0; } figcaption { color: #555; margin: .25rem 0 .75rem 0; }
h2 { margin-bottom: 0; font-size: 1.15rem; } .no-data { color: #8a4b00; font-style: italic; }
svg text { fill: #222; }
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
        content = None if missing else item.render(con, organization)
        if content is None:
            reason = f"relation {', '.join(missing)} is not built" if missing else "the relation has no rows"
            content = f'<p class="no-data">No data: {escape(reason)}.</p>'
        else:
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
