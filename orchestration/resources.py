"""Resources: where the sources are and how dbt is called. Values come from the environment at run time."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource

from orchestration.project import dbt_project


class LmsSources(ConfigurableResource):
    """Which inputs a run ingests. Unset fields fall back to the environment variables named below."""

    landing_dir: str | None = None  # LMS_LANDING_DIR: folder of event files (read recursively)
    catalog_dir: str | None = None  # LMS_CATALOG_DIR: folder with lms_student.json ... lms_class.json
    organization_id: str | None = None  # LMS_ORGANIZATION, default "default"

    def events_dir(self) -> Path | None:
        value = self.landing_dir or os.environ.get("LMS_LANDING_DIR")
        return Path(value) if value else None

    def catalog_folder(self) -> Path | None:
        value = self.catalog_dir or os.environ.get("LMS_CATALOG_DIR")
        return Path(value) if value else None

    def organization(self) -> str:
        return self.organization_id or os.environ.get("LMS_ORGANIZATION") or "default"


def build_resources() -> dict[str, object]:
    # The dbt next to this interpreter: the venv's, whether or not it is on PATH.
    dbt_executable = Path(sys.executable).with_name("dbt")
    return {
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=str(dbt_executable)),
        "sources": LmsSources(),
    }
