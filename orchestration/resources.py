"""Resources: where the sources are and how dbt is called. Values come from the environment at run time."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource

from ingestion.tenants import checked_organization
from orchestration.project import dbt_project

TARGET_ENV = "LMS_DBT_TARGET"
TARGETS = ("duckdb", "spark")


class LmsSources(ConfigurableResource):
    """Which inputs a run ingests. Unset fields fall back to the environment variables named below."""

    landing_dir: str | None = None  # LMS_LANDING_DIR: folder of event files (read recursively)
    catalog_dir: str | None = None  # LMS_CATALOG_DIR: folder with lms_student.json ... lms_class.json
    organization_id: str | None = None  # LMS_ORGANIZATION, default "default"
    mooc_base_url: str | None = None  # LMS_MOOC_BASE_URL: MOOC export API or Open edX base URL
    mooc_course_ids: str | None = None  # LMS_MOOC_COURSE_IDS: comma-separated course ids
    mooc_api: str | None = None  # LMS_MOOC_API: export (default) or openedx
    h5p_base_url: str | None = None  # LMS_H5P_BASE_URL: H5P API base URL (users from the MOOC enrollments)
    xapi_endpoint: str | None = None  # LMS_XAPI_ENDPOINT: an LRS's xAPI endpoint, pulled with the event files

    def events_dir(self) -> Path | None:
        value = self.landing_dir or os.environ.get("LMS_LANDING_DIR")
        return Path(value) if value else None

    def catalog_folder(self) -> Path | None:
        value = self.catalog_dir or os.environ.get("LMS_CATALOG_DIR")
        return Path(value) if value else None

    def mooc_url(self) -> str | None:
        return self.mooc_base_url or os.environ.get("LMS_MOOC_BASE_URL") or None

    def mooc_courses(self) -> list[str]:
        value = self.mooc_course_ids or os.environ.get("LMS_MOOC_COURSE_IDS") or ""
        return [course.strip() for course in value.split(",") if course.strip()]

    def mooc_api_name(self) -> str:
        return (self.mooc_api or os.environ.get("LMS_MOOC_API") or "export").strip().lower()

    def h5p_url(self) -> str | None:
        return self.h5p_base_url or os.environ.get("LMS_H5P_BASE_URL") or None

    def xapi_url(self) -> str | None:
        return self.xapi_endpoint or os.environ.get("LMS_XAPI_ENDPOINT") or None

    def organization(self) -> str:
        if self.organization_id is not None:
            return checked_organization(self.organization_id, setting="the sources resource's organization_id")
        return checked_organization(os.environ.get("LMS_ORGANIZATION", "default"), setting="LMS_ORGANIZATION")


class LmsEngine(ConfigurableResource):
    """Which dbt target the dbt assets build: `duckdb` (the warehouse file) or `spark` (the landing lake on Spark,
    `make spark-install` first). Unset: the environment variable LMS_DBT_TARGET, default duckdb."""

    target: str | None = None  # LMS_DBT_TARGET: duckdb (default) or spark

    def target_name(self) -> str:
        setting, value = ("the engine resource's target", self.target) if self.target is not None else (
            TARGET_ENV, os.environ.get(TARGET_ENV) or "duckdb")
        name = value.strip().lower()
        if name not in TARGETS:
            raise ValueError(f"{setting} is {value!r}: set it to one of {', '.join(TARGETS)}")
        return name


def build_resources() -> dict[str, object]:
    # The dbt next to this interpreter: the venv's, whether or not it is on PATH.
    dbt_executable = Path(sys.executable).with_name("dbt")
    return {
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=str(dbt_executable)),
        "sources": LmsSources(),
        "engine": LmsEngine(),
    }
