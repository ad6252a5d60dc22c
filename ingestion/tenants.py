"""The tenant of landed records: an organization id given by the user is checked, never guessed."""

from __future__ import annotations

from ingestion.errors import IngestError


def checked_organization(value: str | None, *, setting: str = "--organization / LMS_ORGANIZATION") -> str:
    """The organization id as given; a blank one, or one with spaces around it, is refused with one line (it would
    land records under a tenant nobody asked for, or a second tenant that only looks like the first)."""
    if value is None or not value.strip():
        raise IngestError(f"{setting} is empty: give the organization id (or leave it unset for 'default')")
    if value != value.strip():
        raise IngestError(f"{setting} {value!r} has spaces around it: give the organization id without them")
    return value
