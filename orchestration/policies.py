"""Shared execution policies: how HTTP assets retry, and the pool every DuckDB writer joins."""

from dagster import Backoff, Jitter, RetryPolicy

# Every asset or check that opens the DuckDB warehouse read-write joins this pool. `dagster.yaml`
# (written into .dagster_home by `make dagster`) limits pools to 1 slot: a second run's step waits for
# the first one's instead of failing on DuckDB's file lock. Plain-Python writers (the CLI) are kept in
# line by the file lock in ingestion/warehouse.py, which the assets take too.
WAREHOUSE_POOL = "duckdb_warehouse"

# For assets that call an HTTP source: up to 4 attempts, 10 s then 20 s then 40 s, each +/- random jitter
# so several failed runs do not retry in lockstep. (The HTTP clients also retry single requests.)
HTTP_RETRY_POLICY = RetryPolicy(max_retries=3, delay=10, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS)
