"""`make bench N=...`: time ingest and build separately on N generated events.

Each phase runs in a child process so its peak memory (max RSS) is its own. DuckDB's own `read_json`
on the same file is timed too: it is the floor the ingest is measured against.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from lms_warehouse.demo_data import build_catalog, generate_events, to_json_line

EVENTS_PER_STUDENT = 110  # about what the generator emits per learner over 28 days
BENCH_START = datetime(2026, 10, 1)
BENCH_DAYS = 28


def generate(workdir: Path, n_events: int) -> tuple[Path, Path, str]:
    """Write exactly n_events to one .ndjson file and a matching catalog; return paths and the last event time."""
    rng = random.Random(n_events)
    catalog = build_catalog(max(1, n_events // EVENTS_PER_STUDENT + 1), BENCH_START - timedelta(days=30), rng)
    catalog_dir = workdir / "catalog"
    catalog_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in (("student", catalog.students), ("instructor", catalog.instructors),
                       ("course", catalog.courses), ("class", catalog.classes)):
        (catalog_dir / f"lms_{name}.json").write_text(json.dumps(rows))
    events_file = workdir / "events.ndjson"
    written, last = 0, BENCH_START
    with events_file.open("w") as handle:
        while written < n_events:
            for event in generate_events(catalog, BENCH_START, BENCH_DAYS, rng):
                written += 1
                last = max(last, event["occurred_at"])
                handle.write(to_json_line(event, f"evt-{written:010d}") + "\n")
                if written == n_events:
                    break
    return events_file, catalog_dir, last.isoformat()


def _phase(name: str, *args: str) -> dict:
    """Run one phase in a child process; it prints a JSON line with seconds and peak_mb."""
    completed = subprocess.run(
        [sys.executable, "-m", "lms_warehouse.bench", "--phase", name, *args],
        capture_output=True, text=True, env=os.environ.copy(), check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"bench phase {name} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _run_phase(name: str, args: list[str]) -> None:
    started = time.perf_counter()
    detail: dict[str, object] = {}
    if name == "read_json":
        import duckdb

        con = duckdb.connect()
        detail["rows"] = con.execute(
            "create table t as select * from read_json(?, format='newline_delimited')", [args[0]]
        ).fetchone()[0]
    elif name == "ingest":
        from ingestion.catalog import ingest_catalog_dir
        from ingestion.events import ingest_event_paths
        from ingestion.warehouse import connect

        con = connect()
        result = ingest_event_paths(con, [Path(args[0])])
        detail["accepted"] = result.accepted
        ingest_seconds = time.perf_counter() - started
        ingest_catalog_dir(con, Path(args[1]))
        con.close()
        detail["events_seconds"] = round(ingest_seconds, 2)
    elif name == "build":
        from lms_warehouse.dbt_runner import dbt_build_args, run_dbt
        from lms_warehouse.timeutil import parse_as_of

        outcome = run_dbt(dbt_build_args(parse_as_of(args[0]), full_refresh=True))
        if not outcome.success:
            raise SystemExit(outcome.error or "; ".join(outcome.failures))
        detail["summary"] = outcome.summary()
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": round(seconds, 2), "peak_mb": round(peak_mb), **detail}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000, help="number of events (default 1,000,000)")
    parser.add_argument("--workdir", type=Path, default=Path("bench_data"), help="scratch folder (default bench_data)")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("phase_args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        _run_phase(args.phase, args.phase_args)
        return 0

    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    warehouse = workdir / "bench.duckdb"
    for stale in (warehouse, warehouse.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    os.environ["LMS_WAREHOUSE_PATH"] = str(warehouse)
    print(f"bench: {args.events:,} events, {os.cpu_count()} cores, workdir {workdir}", flush=True)
    started = time.perf_counter()
    events_file, catalog_dir, last_event = generate(workdir, args.events)
    size_mb = events_file.stat().st_size / 1e6
    print(f"generated {events_file.name} ({size_mb:,.0f} MB) in {time.perf_counter() - started:.1f} s", flush=True)

    floor = _phase("read_json", str(events_file))
    print(f"duckdb read_json (floor): {floor['seconds']:.2f} s = {args.events / floor['seconds']:,.0f} events/s, "
          f"peak {floor['peak_mb']:,} MB", flush=True)
    ingest = _phase("ingest", str(events_file), str(catalog_dir))
    rate = args.events / ingest["events_seconds"]
    print(f"ingest: {ingest['events_seconds']:.2f} s = {rate:,.0f} events/s "
          f"({floor['seconds'] / ingest['events_seconds']:.0%} of read_json speed), peak {ingest['peak_mb']:,} MB",
          flush=True)
    build = _phase("build", last_event)
    print(f"build (full refresh): {build['seconds']:.2f} s, peak {build['peak_mb']:,} MB; {build['summary']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
