"""The nesting limit of one record (`ingest_max_nesting_depth`, default 64): a record whose objects and arrays nest
deeper is rejected with its depth and position. DuckDB parses deep JSON without trouble, but the Python readers of
`raw_json` (the conversions, anyone's `json.loads`) recurse, and no event needs more than a few levels.

Checked after the records are staged: only a record holding more `{` and `[` than the limit can nest deeper than
it, so DuckDB counts them (one pass over the text) and this scanner measures the few candidates exactly.
"""

from __future__ import annotations

from ingestion.project_vars import project_var


def max_nesting_depth() -> int:
    return int(project_var("ingest_max_nesting_depth"))


def nesting_depth(text: str) -> int:
    """How deep the JSON text's objects and arrays nest (brackets inside strings do not count)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "}]":
            depth -= 1
    return deepest


def too_deep_reason(depth: int, limit: int) -> str:
    return f"nested {depth} levels deep, over the limit of {limit} (var ingest_max_nesting_depth)"
