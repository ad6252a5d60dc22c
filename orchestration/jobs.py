"""One job materialises the whole graph: ingestion assets, then every dbt model and test."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job, in_process_executor

# DuckDB allows one writer per file: running the steps in one process, one after the other,
# keeps a run from ever competing with itself for the lock.
lms_warehouse_job = define_asset_job(
    name="lms_warehouse_job",
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    description="Ingest everything configured, then dbt build (models, seeds, tests).",
)
