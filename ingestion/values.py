"""Reading loosely typed JSON values the same way in every source adapter."""

from __future__ import annotations

import math
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
