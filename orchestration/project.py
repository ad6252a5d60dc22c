"""The dbt project as Dagster sees it. The manifest is read from target/, never parsed at import."""

from __future__ import annotations

from dagster_dbt import DbtProject

from ingestion.warehouse import PROJECT_DIR

dbt_project = DbtProject(
    project_dir=PROJECT_DIR,
    profiles_dir=PROJECT_DIR,
    # `dagster-dbt project prepare-and-package --file orchestration/project.py` copies the project here
    # for a deployment image; in development the repository itself is used.
    packaged_project_dir=PROJECT_DIR / "orchestration" / "dbt_packaged",
)
# Only under `dagster dev`: re-parse so edits to models show up; a deployment reads the packaged manifest.
dbt_project.prepare_if_dev()
