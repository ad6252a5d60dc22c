"""dbt unit tests check the project's SQL on fixed inputs, never the warehouse's data: once they pass for
this exact code, a plain (incremental) `lms-warehouse build` need not run them again. dbt's own advice is
to run unit tests in development and CI, not in every production build.

The record is a fingerprint of everything the unit tests' results depend on (models, macros, seeds, dbt
tests, the project and profile files, the dbt and DuckDB versions), kept in target/. A `--full-refresh`
build, or any change to that code, runs them again.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import version
from pathlib import Path

from ingestion.warehouse import PROJECT_DIR

CODE_FOLDERS = ("models", "macros", "seeds", "tests/dbt")
CODE_FILES = ("dbt_project.yml", "profiles.yml")
RECORD_NAME = "unit_tests_passed.txt"
_PACKAGES = ("dbt-core", "dbt-duckdb", "duckdb")


def unit_test_code_fingerprint(project_dir: Path = PROJECT_DIR) -> str:
    """sha256 over the package versions and every file the unit tests' outcome depends on (path and
    content), in a fixed order."""
    digest = hashlib.sha256()
    for package in _PACKAGES:
        digest.update(f"{package}=={version(package)}\n".encode())
    paths = [project_dir / name for name in CODE_FILES]
    for folder in CODE_FOLDERS:
        paths += sorted(p for p in (project_dir / folder).rglob("*") if p.is_file())
    for path in paths:
        if path.is_file():
            digest.update(str(path.relative_to(project_dir)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _record_path(project_dir: Path) -> Path:
    return project_dir / "target" / RECORD_NAME


def unit_tests_passed_for_current_code(project_dir: Path = PROJECT_DIR) -> bool:
    record = _record_path(project_dir)
    return record.is_file() and record.read_text().strip() == unit_test_code_fingerprint(project_dir)


def record_unit_tests_passed(project_dir: Path = PROJECT_DIR) -> None:
    record = _record_path(project_dir)
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(unit_test_code_fingerprint(project_dir) + "\n")
