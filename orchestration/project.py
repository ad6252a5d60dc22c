"""The dbt project as Dagster sees it. The manifest is read from target/, never parsed at import."""

from __future__ import annotations

import os

from dagster_dbt import DbtProject

from dbt_runner.run import prepare_manifest
from ingestion.warehouse import PROJECT_DIR

dbt_project = DbtProject(
    project_dir=PROJECT_DIR,
    profiles_dir=PROJECT_DIR,
    # `dagster-dbt project prepare-and-package --file orchestration/project.py` copies the project here
    # for a deployment image; in development the repository itself is used.
    packaged_project_dir=PROJECT_DIR / "orchestration" / "dbt_packaged",
)
# Only under `dagster dev` (which sets DAGSTER_IS_DEV_CLI): re-parse so edits to models show up; a deployment
# reads the packaged manifest. Parsed with dbt's Python API in this process, as `lms-warehouse prepare` does,
# not by dbt_project.prepare_if_dev(), which runs a `dbt` executable looked up on PATH: `make dagster` then
# works without an activated venv.
if os.environ.get("DAGSTER_IS_DEV_CLI"):
    prepare_manifest()
