"""Fingerprints of the project's code: what a result depends on, as one sha256.

Two uses: dbt unit tests re-run only when the code they check changed (unit_test_record.py), and an
incremental model is rebuilt from scratch when the code that computes its rows changed (the projection
code version, passed to dbt as LMS_CODE_VERSION; macros/incremental/code_version.sql).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from importlib.metadata import version
from pathlib import Path

from ingestion.warehouse import PROJECT_DIR

CODE_VERSION_ENV = "LMS_CODE_VERSION"
# What the rows of a model depend on besides the landed data: the SQL, the seeds, the vars and the engine.
PROJECTION_FOLDERS = ("models", "macros", "seeds")
PROJECTION_FILES = ("dbt_project.yml",)
_PACKAGES = ("dbt-core", "dbt-duckdb", "duckdb")


def code_fingerprint(folders: Iterable[str], files: Iterable[str], project_dir: Path = PROJECT_DIR) -> str:
    """sha256 over the package versions and every file (path and content) of these folders and files."""
    digest = hashlib.sha256()
    for package in _PACKAGES:
        digest.update(f"{package}=={version(package)}\n".encode())
    paths = [project_dir / name for name in files]
    for folder in folders:
        paths += sorted(p for p in (project_dir / folder).rglob("*") if p.is_file())
    for path in paths:
        if path.is_file():
            digest.update(str(path.relative_to(project_dir)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def projection_code_version(project_dir: Path = PROJECT_DIR) -> str:
    """The version of the code that computes the warehouse's projections from the landed data."""
    return code_fingerprint(PROJECTION_FOLDERS, PROJECTION_FILES, project_dir)
