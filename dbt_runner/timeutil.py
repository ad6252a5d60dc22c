"""Parsing and formatting of the as-of instant that fixes "now" for a build."""

from __future__ import annotations

from datetime import UTC, datetime


class AsOfError(ValueError):
    """An --as-of value that is not an ISO-8601 timestamp."""


def parse_as_of(text: str | None) -> datetime:
    """An ISO-8601 date or timestamp as a naive UTC datetime; no offset means UTC; None means now."""
    if text is None:
        return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise AsOfError(
            f"--as-of {text!r} is not an ISO-8601 timestamp; use e.g. 2024-03-10T12:00:00Z"
        ) from exc
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def as_of_var(moment: datetime) -> str:
    """The form the dbt var `as_of` takes: 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC."""
    return moment.isoformat(sep=" ")
