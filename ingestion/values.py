"""Reading loosely typed JSON values the same way in every source adapter."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any


def as_number(value: Any) -> float | int | None:
    """Numbers and numeric strings count; booleans, NaN and infinities do not ."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            return None
        if not math.isfinite(number):
            return None
        return int(text) if text.lstrip("+-").isdigit() else number
    return None


def parse_utc(value: Any) -> datetime | None:
    """ISO-8601 text as a naive UTC datetime (a value without offset is UTC); None when it is not one."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed
