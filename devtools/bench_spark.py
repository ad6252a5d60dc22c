"""`make bench-spark`: the same lake built on DuckDB, on Spark local[2] and on a two-worker standalone cluster.

For each size: generate the events (the generator of `make bench`), ingest them (the lake is written by the
ingest), then time DuckDB's full build, Spark local[2]'s full build, the cluster's full build (master and two
workers of one core and 1 GB each on 127.0.0.1), then ingest one new day (1 % of the events) and time Spark's
build of it (incremental by event day and by learner bucket; the published marts are rebuilt whole). Wall
seconds and the peak resident memory of every process the step runs (the cluster's master, workers and
executors included). Before the new day, every published relation of both Spark builds is compared with
DuckDB's (devtools/engine_compare.py). After DuckDB's build, the warehouse file is set aside as lost:
`lms-warehouse restore` and `build` rebuild it from the lake alone, timed, and every published relation must
equal the lost warehouse's (issue 22, point 2). `--duckdb-only` (`make bench-spark SPARK_BENCH_ARGS=--duckdb-only`)
stops after the restore.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from devtools.bench.run import Dataset, generate, phase, run_sampled, write_results
from devtools.engine_compare import compare
from devtools.spark_cluster import standalone_cluster
from lms_warehouse.fingerprint import differences, file_fingerprints

CLI = Path(sys.executable).with_name("lms-warehouse")


def _timed(args: list[str], env: dict[str, str], also: tuple[int, ...] = ()) -> dict:
    """Run the CLI, sampling the resident memory of its process tree and of the trees of `also` (cluster pids)."""
    started = time.perf_counter()
    returncode, stdout, stderr, peak = run_sampled([str(CLI), *args], env, also)
    if returncode != 0:
        raise SystemExit(f"`lms-warehouse {' '.join(args)}` failed:\n{(stdout + stderr)[-3000:]}")
    return {"seconds": round(time.perf_counter() - started, 2), "peak_mb": round(peak)}


def _restore_and_build(warehouse: Path, step) -> dict:
    """Lose the warehouse file, rebuild it from the lake; how many published relations, which differ from the lost."""
    lost = file_fingerprints(warehouse)
    warehouse.with_name(warehouse.name + ".wal").unlink(missing_ok=True)
    warehouse.rename(warehouse.with_name(warehouse.name + ".lost"))
    step("restore", _timed(["restore"], dict(os.environ)))
    step("build_after_restore", _timed(["build"], dict(os.environ)))
    warehouse.with_name(warehouse.name + ".lost").unlink()
    restored = file_fingerprints(warehouse)
    return {"relations": len(restored), "differing": differences(lost, restored)}


def _spark_steps(n_events: int, workdir: Path, warehouse: Path, data: Dataset, results: dict, step) -> None:
    """Spark local[2]'s and the cluster's full builds, both compared with DuckDB's, then one new day on Spark."""
    as_of = data.main_last.isoformat()
    local = {**os.environ, "LMS_SPARK_WAREHOUSE": str(workdir / f"spark-bench-{n_events}-local"),
             "LMS_SPARK_MASTER": "local[2]"}
    step("spark_local_full_build", _timed(["build", "--target", "spark", "--as-of", as_of, "--full-refresh"], local))
    with standalone_cluster(workdir / f"spark-bench-{n_events}-cluster") as cluster:
        on_cluster = {**os.environ, "LMS_SPARK_WAREHOUSE": str(workdir / f"spark-bench-{n_events}-on-cluster"),
                      "LMS_SPARK_MASTER": cluster.master_url}
        step("spark_cluster_full_build", _timed(["build", "--target", "spark", "--as-of", as_of, "--full-refresh"],
                                                on_cluster, also=tuple(cluster.pids)))
    # both Spark builds and DuckDB's are of the same lake at the same as-of: every published relation equal
    for key, folder in (("local", local), ("cluster", on_cluster)):
        found = compare(warehouse, Path(folder["LMS_SPARK_WAREHOUSE"]))
        results[f"equal_to_duckdb_{key}"] = {"relations": len(found.relations), "missing": found.missing,
                                            "differing": found.differing}
        print(f"  {key} vs DuckDB: {len(found.relations)} relations, {len(found.missing)} missing, "
              f"{len(found.differing)} differing", flush=True)
    step("ingest_new_day", phase("ingest", str(data.new_day_file)))
    step("spark_local_one_day_build",
         _timed(["build", "--target", "spark", "--as-of", data.new_day_last.isoformat()], local))


def run(n_events: int, workdir: Path, spark: bool = True) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    warehouse = workdir / f"spark-bench-{n_events}.duckdb"
    for stale in workdir.glob(f"spark-bench-{n_events}*"):
        subprocess.run(["rm", "-rf", str(stale)], check=True)
    os.environ["LMS_WAREHOUSE_PATH"] = str(warehouse)
    os.environ["LMS_LAKE_PATH"] = str(workdir / f"spark-bench-{n_events}-lake")
    print(f"bench-spark: {n_events:,} events, {os.cpu_count()} cores, workdir {workdir}", flush=True)
    data = generate(workdir, n_events)
    results: dict = {"events": n_events, "cores": os.cpu_count()}

    def step(key: str, outcome: dict) -> None:
        results[key] = outcome
        print(f"  {key}: {outcome['seconds']:.2f} s, peak {outcome['peak_mb']:,} MB", flush=True)

    step("ingest", phase("ingest", str(data.main_file), str(data.catalog_dir)))
    # through the CLI, as a user builds: it records the build's as-of in the lake, which restore + build reuse
    step("duckdb_full_build", _timed(["build", "--as-of", data.main_last.isoformat(), "--full-refresh"],
                                     dict(os.environ)))
    results["restored_equal_to_lost"] = _restore_and_build(warehouse, step)
    print(f"  restored vs lost: {len(results['restored_equal_to_lost']['differing'])} published relations differ",
          flush=True)
    if spark:
        _spark_steps(n_events, workdir, warehouse, data, results, step)
    for path in (data.main_file, data.new_day_file):
        path.unlink(missing_ok=True)
    return results


def report(runs: list[dict]) -> str:
    lines = ["| events | step | seconds | peak MB |", "|---:|---|---:|---:|"]
    for r in runs:
        for key in ("duckdb_full_build", "restore", "build_after_restore", "spark_local_full_build",
                    "spark_cluster_full_build", "spark_local_one_day_build"):
            if key in r:
                lines.append(f"| {r['events']:,} | {key.replace('_', ' ')} | {r[key]['seconds']:.2f} | "
                             f"{r[key]['peak_mb']:,} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, nargs="+", default=[1_000_000, 10_000_000],
                        help="sizes to run (default 1,000,000 and 10,000,000)")
    parser.add_argument("--workdir", type=Path, default=Path("bench_data"), help="scratch folder (default bench_data)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--duckdb-only", action="store_true",
                        help="only DuckDB's full build and the restore from the lake + build after it")
    args = parser.parse_args(argv)
    runs = [run(n, args.workdir.resolve(), spark=not args.duckdb_only) for n in args.events]
    print(report(runs))
    write_results(args.json, runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
