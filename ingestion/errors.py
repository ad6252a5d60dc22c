"""The one exception ingestion raises for problems a user can fix."""

from __future__ import annotations


class IngestError(Exception):
    """A user-facing failure; str(e) is one line saying what went wrong and what to do."""
