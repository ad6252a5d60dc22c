"""The phases of `make bench`, each run in its own child process (`python -m devtools.bench.run --phase ...`).

Every phase prints one JSON line: `seconds` (wall time of the measured work only: imports and process
start-up are not counted) and `peak_mb` (the process's max RSS), plus phase details.
"""

from __future__ import annotations

import json
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from ingestion.warehouse import create_warehouse_file

POINT_QUERY_RUNS = 7  # timed runs per mart after one warm-up run; the median is reported
SLOWEST_NODES = 5  # dbt nodes listed per build, slowest first

# The v_user_progress rules of issue 3 in one query straight on the raw file: the floor for the build.
# (It trusts the file: no validation, no de-duplication, no catalog join.)
FLOOR_QUERY = """
create table floor_user_progress as
with events as (
    select student_id, class_id, course_id, type, occurred_at::timestamp as occurred_at,
           payload.position as position, payload.duration as duration, payload.score as score,
           payload.max_score as max_score, payload.passed as passed
    from read_json(?, format = 'newline_delimited', columns = {
        id: 'VARCHAR', type: 'VARCHAR', student_id: 'VARCHAR', course_id: 'VARCHAR', class_id: 'VARCHAR',
        occurred_at: 'VARCHAR',
        payload: 'STRUCT(position DOUBLE, duration DOUBLE, score DOUBLE, max_score DOUBLE, passed BOOLEAN)'})
    where type in ('VIDEO_PING', 'QUIZ_SUBMIT')
)
select student_id, class_id, any_value(course_id) as course_id,
       max(position) filter (where type = 'VIDEO_PING') as video_max_position_sec,
       max(duration) filter (where type = 'VIDEO_PING') as video_duration_sec,
       min(occurred_at) filter (where type = 'VIDEO_PING' and position >= 0.9 * duration) as video_completed_at,
       arg_max(score, [score / max_score, -epoch(occurred_at)]) filter (where type = 'QUIZ_SUBMIT') as quiz_score,
       arg_max(max_score, [score / max_score, -epoch(occurred_at)]) filter (where type = 'QUIZ_SUBMIT')
           as quiz_max_score,
       min(occurred_at) filter (where type = 'QUIZ_SUBMIT' and passed) as quiz_passed_at,
       max(occurred_at) as updated_at
from events
group by student_id, class_id
"""


class Stopwatch:
    """Wall and CPU seconds (user + system, all threads of this process) of the work inside `with`."""

    def __enter__(self) -> Stopwatch:
        self._wall, self._cpu = time.perf_counter(), _cpu_seconds()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.seconds = time.perf_counter() - self._wall
        self.cpu_seconds = _cpu_seconds() - self._cpu


def _load_json_extension(con: duckdb.DuckDBPyConnection) -> None:
    """DuckDB loads its JSON extension on first use: a one-off cost no phase should be timed with."""
    con.execute("select json('{}')").fetchall()


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def read_json_floor(events_file: str, scratch_db: str) -> dict[str, object]:
    """DuckDB's own JSON reader loading the file into a table: the floor for the ingest.

    Timed twice: into an in-memory database (the floor the target is set against) and into a fresh DuckDB
    file with a checkpoint, which also pays for compressing and writing the table as the warehouse does.
    """
    sql = "create table t as select * from read_json(?, format = 'newline_delimited')"
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    _load_json_extension(con)
    with Stopwatch() as memory:
        rows = con.execute(sql, [events_file]).fetchone()[0]
    con.close()
    scratch = Path(scratch_db)
    scratch.unlink(missing_ok=True)
    create_warehouse_file(scratch)  # the warehouse's storage format: the same compression methods to choose from
    con = duckdb.connect(str(scratch))
    con.execute("set enable_progress_bar = false")
    _load_json_extension(con)
    with Stopwatch() as into_file:
        con.execute(sql, [events_file])
        con.execute("checkpoint")
    con.close()
    scratch.unlink(missing_ok=True)
    return {"seconds": memory.seconds, "cpu_seconds": memory.cpu_seconds, "rows": rows,
            "file_seconds": into_file.seconds, "file_cpu_seconds": into_file.cpu_seconds}


def ingest(events_file: str, catalog_dir: str | None = None) -> dict[str, object]:
    """`lms-warehouse ingest events` (and, untimed in `seconds`, `ingest catalog`) into LMS_WAREHOUSE_PATH."""
    from ingestion.catalog import ingest_catalog_dir
    from ingestion.events import ingest_event_paths
    from ingestion.warehouse import sync_lake, warehouse_path, write_session

    with write_session() as con:
        _load_json_extension(con)
        with Stopwatch() as watch:  # the checkpoint too, as for read_json into a file
            result = ingest_event_paths(con, [Path(events_file)])
            con.execute("checkpoint")
        with Stopwatch() as lake:  # what the session's end does anyway: the batch written to the landing lake
            sync_lake(con, warehouse_path())
        detail: dict[str, object] = {
            "seconds": watch.seconds, "cpu_seconds": watch.cpu_seconds, "read": result.records_read,
            "accepted": result.accepted, "rejected": result.rejected, "duplicates": result.duplicates,
            "lake_seconds": lake.seconds, "lake_cpu_seconds": lake.cpu_seconds,
        }
        if catalog_dir:
            with Stopwatch() as catalog:
                ingest_catalog_dir(con, Path(catalog_dir))
            detail["catalog_seconds"] = catalog.seconds
    return detail


def build(as_of: str, mode: str) -> dict[str, object]:
    """`lms-warehouse build`: `full` adds --full-refresh, `incremental` is a plain `dbt build`."""
    from dbt_runner.run import build_warehouse, target_dir
    from dbt_runner.timeutil import parse_as_of

    with Stopwatch() as watch:
        outcome = build_warehouse(parse_as_of(as_of), full_refresh=mode == "full")
    if not outcome.success:
        raise SystemExit(outcome.error or "; ".join(outcome.failures))
    nodes = {} if outcome.up_to_date else _node_seconds(target_dir() / "run_results.json")
    return {"seconds": watch.seconds, "cpu_seconds": watch.cpu_seconds, "summary": outcome.summary(), **nodes}


def _node_seconds(run_results: Path) -> dict[str, object]:
    """Seconds dbt spent per resource type (model, test, unit_test, seed) and its slowest nodes."""
    results = json.loads(run_results.read_text())["results"]
    totals: dict[str, float] = {}
    for result in results:
        kind = result["unique_id"].split(".", 1)[0]
        totals[kind] = round(totals.get(kind, 0.0) + result["execution_time"], 2)
    slowest = sorted(results, key=lambda result: result["execution_time"], reverse=True)[:SLOWEST_NODES]
    return {"node_seconds": totals, "nodes": len(results),
            "slowest_nodes": {r["unique_id"].rsplit(".", 1)[-1]: round(r["execution_time"], 2) for r in slowest},
            # every node of a second or more, for the JSON results (where a build's time goes)
            "nodes_over_1s": {r["unique_id"]: round(r["execution_time"], 2) for r in results
                              if r["execution_time"] >= 1.0}}


def floor_query(events_file: str) -> dict[str, object]:
    """The v_user_progress aggregation as one hand-written query on the raw file."""
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.execute("set TimeZone = 'UTC'")
    _load_json_extension(con)
    with Stopwatch() as watch:
        con.execute(FLOOR_QUERY, [events_file])
    (rows,) = con.execute("select count(*) from floor_user_progress").fetchone()
    return {"seconds": watch.seconds, "cpu_seconds": watch.cpu_seconds, "rows": rows}


def point_queries(warehouse: str) -> dict[str, object]:
    """Median time of a point query (one student, else one key) on every `v_*` and `lms_*` mart."""
    con = duckdb.connect(warehouse, read_only=True)
    con.execute("set enable_progress_bar = false")
    (student,) = con.execute(
        "select student_id from landing.lms_events group by student_id order by count(*) desc, student_id limit 1"
    ).fetchone()
    marts = con.execute(
        "select table_name from information_schema.tables where table_schema = 'main' "
        "and (table_name like 'v\\_%' escape '\\' or table_name like 'lms\\_%' escape '\\') order by table_name"
    ).fetchall()
    timings: dict[str, dict[str, object]] = {}
    for (mart,) in marts:
        column, value = _point_key(con, mart, student)
        sql = f'select * from main."{mart}" where "{column}" = ?'
        timings[mart] = {"key": column, "ms": _median_ms(lambda sql=sql, value=value: con.execute(sql, [value])
                                                         .fetchall())}
    return {"seconds": 0.0, "cpu_seconds": 0.0, "student_id": student, "marts": timings}


def _point_key(con: duckdb.DuckDBPyConnection, mart: str, student: str) -> tuple[str, object]:
    columns = [name for (name,) in con.execute(
        "select column_name from information_schema.columns where table_schema = 'main' and table_name = ? "
        "order by ordinal_position", [mart]).fetchall()]
    if "student_id" in columns:
        return "student_id", student
    if mart == "lms_student":
        return "id", student
    column = "id" if "id" in columns else next(c for c in columns if c != "organization_id")
    row = con.execute(f'select "{column}" from main."{mart}" where "{column}" is not null limit 1').fetchone()
    return column, row[0] if row else None


def _median_ms(run: Callable[[], object]) -> float:
    run()  # warm-up: the first query of a relation loads its blocks
    samples = []
    for _ in range(POINT_QUERY_RUNS):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 2)


PHASES: dict[str, Callable[..., dict[str, object]]] = {
    "read_json": read_json_floor,
    "ingest": ingest,
    "build": build,
    "floor_query": floor_query,
    "point_queries": point_queries,
}


def run_phase(name: str, args: list[str]) -> None:
    detail = PHASES[name](*args)
    detail["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(detail))
