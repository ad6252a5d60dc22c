"""`make bench N=...`: generate N events, then time each phase of the warehouse against its floor.

Phases, each in its own child process so that its time and memory are its own:
read_json (DuckDB's own reader: the ingest floor), ingest of the main file (~99 % of the events), full
build, ingest of one new day (~1 % of the events), incremental build (a plain `dbt build`), one
hand-written DuckDB query doing the v_user_progress aggregation on the raw file (the build floor), and
a point query on every `v_*` / `lms_*` mart. Peak memory is sampled over the phase's whole process tree.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from devtools.demo.data import build_catalog, generate_events, to_json_line

EVENTS_PER_STUDENT = 110  # about what the generator emits per learner over 28 days
BENCH_START = datetime(2026, 10, 1)
BENCH_DAYS = 28
NEW_DAY_SHARE = 0.01  # share of the N events that fall on one extra day, ingested after the full build

# Targets of issues 3 and 6 (2-core machine).
TARGET_INGEST_SHARE = 0.5  # ingest at least half as fast as read_json
TARGET_FULL_BUILD_S_10M = 180.0  # full build of 10 M events
TARGET_PEAK_MB = 8 * 1024
TARGET_INCREMENTAL_SHARE = 0.15  # one-day incremental build vs full build
TARGET_POINT_MS = 100.0
TARGET_NOTHING_NEW_S = 10.0  # issue 19: a build with nothing new


@dataclass(frozen=True)
class Dataset:
    main_file: Path  # the first BENCH_DAYS days
    new_day_file: Path  # the day after
    catalog_dir: Path
    main_events: int
    new_day_events: int
    main_last: datetime  # latest occurred_at of the main file: the as-of of the full build
    new_day_last: datetime


def generate(workdir: Path, n_events: int, new_day_events: int | None = None) -> Dataset:
    """Stream exactly n_events to two .ndjson files (main days, then `new_day_events`, by default 1 %, on one
    new day) and a catalog."""
    rng = random.Random(n_events)
    catalog = build_catalog(max(1, n_events // EVENTS_PER_STUDENT + 1), BENCH_START - timedelta(days=30), rng)
    catalog_dir = workdir / "catalog"
    catalog_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in (("student", catalog.students), ("instructor", catalog.instructors),
                       ("course", catalog.courses), ("class", catalog.classes)):
        (catalog_dir / f"lms_{name}.json").write_text(json.dumps(rows))
    if new_day_events is None:
        new_day_events = round(n_events * NEW_DAY_SHARE)
    main_events = n_events - new_day_events
    main_file, new_day_file = workdir / "events.ndjson", workdir / "events_new_day.ndjson"
    main_last = _write_events(main_file, main_events, 0, lambda: generate_events(catalog, BENCH_START, BENCH_DAYS,
                                                                                  rng))
    new_day = BENCH_START + timedelta(days=BENCH_DAYS)
    new_day_last = _write_events(new_day_file, new_day_events, main_events,
                                 lambda: generate_events(catalog, new_day, 1, rng))
    return Dataset(main_file, new_day_file, catalog_dir, main_events, new_day_events, main_last,
                   max(main_last, new_day_last))


def _write_events(path: Path, count: int, first_number: int, events: Callable[[], Iterator[dict]]) -> datetime:
    """Write `count` events, cycling the generator as often as needed; return the latest occurred_at."""
    written, last = 0, BENCH_START
    with path.open("w", buffering=1 << 20) as handle:
        while written < count:
            for event in events():
                written += 1
                last = max(last, event["occurred_at"])
                handle.write(_json_line(event, f"evt-{first_number + written:010d}"))
                if written == count:
                    break
    return last


def _json_line(event: dict, event_id: str) -> str:
    """`to_json_line(event, event_id)` plus a newline, formatted directly: json.dumps made 10 M events slow.

    Only the generator's two shapes (ids without characters JSON escapes, whole-second times) take the fast
    path; tests/test_bench.py checks it against to_json_line.
    """
    at, payload = event["occurred_at"], event["payload"]
    head = (f'{{"id":"{event_id}","type":"{event["type"]}","student_id":"{event["student_id"]}",'
            f'"course_id":"{event["course_id"]}","class_id":"{event["class_id"]}",'
            f'"occurred_at":"{at.isoformat()}Z","payload":')
    if at.microsecond == 0 and event["type"] == "VIDEO_PING" and len(payload) == 3:
        return f'{head}{{"video_id":"{payload["video_id"]}","position":{payload["position"]},' \
               f'"duration":{payload["duration"]}}}}}\n'
    if at.microsecond == 0 and event["type"] == "QUIZ_SUBMIT" and len(payload) == 4:
        return f'{head}{{"quiz_id":"{payload["quiz_id"]}","score":{payload["score"]},' \
               f'"max_score":{payload["max_score"]},"passed":{"true" if payload["passed"] else "false"}}}}}\n'
    return to_json_line(event, event_id) + "\n"


def _tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21])  # resident pages
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_sampled(command: list[str], env: dict[str, str], also: tuple[int, ...] = ()) -> tuple[int, str, str, float]:
    """Run a child process to its end, sampling the resident memory of its process tree and of the trees of the
    `also` pids (a Spark cluster's processes); (return code, stdout, stderr, peak MB)."""
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak = [0.0]

    def sample() -> None:
        while child.poll() is None:
            peak[0] = max(peak[0], sum(_tree_rss_mb(pid) for pid in (child.pid, *also)))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = child.communicate()
    sampler.join()
    return child.returncode, stdout, stderr, peak[0]


def phase(name: str, *args: str) -> dict:
    """Run one phase in a child process, sampling its process tree's memory; return its JSON line."""
    returncode, stdout, stderr, peak = run_sampled(
        [sys.executable, "-m", "devtools.bench.run", "--phase", name, *args], os.environ.copy())
    if returncode != 0:
        raise SystemExit(f"bench phase {name} failed:\n{stderr[-3000:]}")
    result = json.loads(stdout.strip().splitlines()[-1])
    result["peak_mb"] = round(max(peak, result["peak_mb"]))
    return result


def write_results(path: Path | None, results: object) -> None:
    """`--json`: the results as JSON, for the record in BENCHMARKS.md."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, indent=2) + "\n")


def run(n_events: int, workdir: Path, keep: bool, new_day_events: int | None = None) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    warehouse = workdir / "bench.duckdb"
    for stale in (warehouse, warehouse.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    os.environ["LMS_WAREHOUSE_PATH"] = str(warehouse)
    print(f"bench: {n_events:,} events, {os.cpu_count()} cores, workdir {workdir}", flush=True)
    started = time.perf_counter()
    data = generate(workdir, n_events, new_day_events)
    file_mb = (data.main_file.stat().st_size + data.new_day_file.stat().st_size) / 1e6
    results: dict = {
        "events": n_events, "main_events": data.main_events, "new_day_events": data.new_day_events,
        "cores": os.cpu_count(), "file_mb": round(file_mb), "generate_seconds": round(time.perf_counter() - started, 1),
    }
    print(f"generated {file_mb:,.0f} MB in {results['generate_seconds']} s "
          f"({data.main_events:,} + {data.new_day_events:,} new-day events)", flush=True)
    try:
        steps = (
            ("read_json", "read_json", (str(data.main_file), str(workdir / "read_json_floor.duckdb"))),
            ("ingest", "ingest", (str(data.main_file), str(data.catalog_dir))),
            ("full_build", "build", (data.main_last.isoformat(), "full")),
            ("floor_query", "floor_query", (str(data.main_file),)),
            ("ingest_new_day", "ingest", (str(data.new_day_file),)),
            ("incremental_build", "build", (data.new_day_last.isoformat(), "incremental")),
            ("nothing_new_build", "build", (data.new_day_last.isoformat(), "incremental")),
            ("point_queries", "point_queries", (str(warehouse),)),
        )
        for key, step, args in steps:
            results[key] = phase(step, *args)
            print(f"  {key}: {results[key]['seconds']:.2f} s, peak {results[key]['peak_mb']:,} MB", flush=True)
        worst = max(results["point_queries"]["marts"].items(), key=lambda item: item[1]["ms"])
        print(f"  slowest point query: {worst[0]} {worst[1]['ms']:.1f} ms", flush=True)
        results["warehouse_mb"] = round(warehouse.stat().st_size / 1e6)
    finally:
        if not keep:
            for path in (data.main_file, data.new_day_file, warehouse, warehouse.with_suffix(".duckdb.wal")):
                path.unlink(missing_ok=True)
    results["targets"] = _targets(results)
    return results


def _targets(r: dict) -> dict[str, bool]:
    worst_point = max((m["ms"] for m in r["point_queries"]["marts"].values()), default=0.0)
    targets = {
        "ingest_at_least_half_of_read_json": r["read_json"]["seconds"] / r["ingest"]["seconds"] >= TARGET_INGEST_SHARE,
        "ingest_at_least_half_of_read_json_into_file": (
            r["read_json"]["file_seconds"] / r["ingest"]["seconds"] >= TARGET_INGEST_SHARE),
        "incremental_at_most_15pct_of_full": (
            r["incremental_build"]["seconds"] <= TARGET_INCREMENTAL_SHARE * r["full_build"]["seconds"]),
        "build_peak_memory_under_8gb": max(r[k]["peak_mb"] for k in ("full_build", "incremental_build"))
        < TARGET_PEAK_MB,
        "nothing_new_build_under_10s": r["nothing_new_build"]["seconds"] <= TARGET_NOTHING_NEW_S,
        "point_queries_under_100ms": worst_point < TARGET_POINT_MS,
    }
    if r["events"] >= 10_000_000:
        targets["full_build_under_3min"] = r["full_build"]["seconds"] < TARGET_FULL_BUILD_S_10M
    return targets


def report(r: dict) -> str:
    floor, ingest, full = r["read_json"], r["ingest"], r["full_build"]
    rows = [
        ("DuckDB read_json into an in-memory table (ingest floor)", floor["seconds"], floor["cpu_seconds"],
         r["main_events"] / floor["seconds"], "", floor["peak_mb"]),
        ("DuckDB read_json into a table of a DuckDB file", floor["file_seconds"], floor["file_cpu_seconds"],
         r["main_events"] / floor["file_seconds"], "", None),
        ("ingest events (main file)", ingest["seconds"], ingest["cpu_seconds"], r["main_events"] / ingest["seconds"],
         f"{floor['seconds'] / ingest['seconds']:.0%} of in-memory read_json speed "
         f"({floor['cpu_seconds'] / ingest['cpu_seconds']:.0%} by CPU), "
         f"{floor['file_seconds'] / ingest['seconds']:.0%} of into-file "
         f"({floor['file_cpu_seconds'] / ingest['cpu_seconds']:.0%} by CPU)", ingest["peak_mb"]),
        ("write the main batch to the landing lake (Parquet)", ingest.get("lake_seconds", 0.0),
         ingest.get("lake_cpu_seconds", 0.0), r["main_events"] / max(ingest.get("lake_seconds", 0.0), 1e-9), "",
         None),
        ("full build (dbt build --full-refresh)", full["seconds"], full["cpu_seconds"], None, "", full["peak_mb"]),
        ("hand-written v_user_progress query (build floor)", r["floor_query"]["seconds"],
         r["floor_query"]["cpu_seconds"], None, f"build = {full['seconds'] / r['floor_query']['seconds']:.0f}x floor",
         r["floor_query"]["peak_mb"]),
        ("ingest one new day", r["ingest_new_day"]["seconds"], r["ingest_new_day"]["cpu_seconds"],
         r["new_day_events"] / r["ingest_new_day"]["seconds"], "", r["ingest_new_day"]["peak_mb"]),
        ("incremental build (dbt build)", r["incremental_build"]["seconds"], r["incremental_build"]["cpu_seconds"],
         None, f"{r['incremental_build']['seconds'] / full['seconds']:.0%} of full build",
         r["incremental_build"]["peak_mb"]),
        ("build with nothing new (dbt build)", r["nothing_new_build"]["seconds"],
         r["nothing_new_build"]["cpu_seconds"], None, "", r["nothing_new_build"]["peak_mb"]),
    ]
    lines = [f"{r['events']:,} events ({r['file_mb']:,} MB JSON Lines), {r['cores']} cores, "
             f"warehouse {r.get('warehouse_mb', 0):,} MB",
             "| phase | seconds | CPU seconds | events/s | note | peak MB |", "|---|---:|---:|---:|---|---:|"]
    for name, seconds, cpu, rate, note, peak in rows:
        rate_text = f"{rate:,.0f}" if rate else ""
        peak_text = f"{peak:,}" if peak is not None else ""
        lines.append(f"| {name} | {seconds:.2f} | {cpu:.2f} | {rate_text} | {note} | {peak_text} |")
    for key in ("full_build", "incremental_build", "nothing_new_build"):
        spent = ", ".join(f"{kind} {seconds:.1f} s" for kind, seconds in sorted(r[key].get("node_seconds", {}).items()))
        slowest = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in r[key].get("slowest_nodes", {}).items())
        lines.append(f"{key}: {r[key]['summary']}; dbt seconds by kind: {spent}; slowest: {slowest}")
    lines += ["", "| mart | point query on | median ms |", "|---|---|---:|"]
    for mart, timing in r["point_queries"]["marts"].items():
        lines.append(f"| {mart} | {timing['key']} | {timing['ms']:.2f} |")
    lines += ["", "targets: " + ", ".join(f"{k} {'MET' if v else 'NOT met'}" for k, v in r["targets"].items())]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000, help="number of events (default 1,000,000)")
    parser.add_argument("--workdir", type=Path, default=Path("bench_data"), help="scratch folder (default bench_data)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--keep", action="store_true", help="keep the generated files and the warehouse")
    parser.add_argument("--new-day-events", type=int,
                        help="events of the new day, part of --events (default 1 %%; issue 19 keeps it at 100,000 "
                             "while the history grows)")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("phase_args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        from devtools.bench.phases import run_phase

        run_phase(args.phase, args.phase_args)
        return 0
    results = run(args.events, args.workdir.resolve(), args.keep, args.new_day_events)
    print(report(results))
    write_results(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
