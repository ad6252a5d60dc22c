"""The newest event schema version this warehouse understands: the dbt var `lms_event_current_version`.

It lives in one place, `dbt_project.yml`, because two readers need it: ingestion quarantines an event whose
version is greater (`landing.lms_event_rejects`, with the reason), and staging (`upcast_event_payload`)
brings every older version to the current shape. An event without a version is version 1.
"""

from __future__ import annotations

from functools import lru_cache

from ingestion.project_vars import PROJECT_FILE, project_var

VERSION_VAR = "lms_event_current_version"


@lru_cache(maxsize=1)
def current_event_version() -> int:
    """The var's value; a missing or malformed var is a broken deployment, not a reason to land anything."""
    value = project_var(VERSION_VAR)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RuntimeError(f"{PROJECT_FILE}: vars.{VERSION_VAR} must be a positive integer, found {value!r}")
    return value
