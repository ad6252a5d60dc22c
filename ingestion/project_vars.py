"""The dbt vars of `dbt_project.yml` that ingestion reads too: each setting lives in one place."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

PROJECT_FILE = Path(__file__).resolve().parents[1] / "dbt_project.yml"


@lru_cache(maxsize=1)
def _project_vars() -> dict[str, Any]:
    return (yaml.safe_load(PROJECT_FILE.read_text()) or {}).get("vars") or {}


def project_var(name: str) -> Any:
    """The var's value; a var that is not there is a broken deployment, not a reason to guess."""
    variables = _project_vars()
    if name not in variables:
        raise RuntimeError(f"{PROJECT_FILE}: vars.{name} is missing")
    return variables[name]


def all_project_vars() -> dict[str, Any]:
    """Every var of dbt_project.yml with its value (a copy)."""
    return dict(_project_vars())
