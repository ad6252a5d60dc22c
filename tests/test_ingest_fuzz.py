"""Hostile input, generated: random JSON shapes, sizes, nestings and numbers, duplicate keys, mistyped ids, odd
timestamps, bytes that are not UTF-8, truncated and compressed files, mixed with valid events. For every
generated command: no crash, read = accepted + duplicates + rejected, every valid event landed and nothing else,
and the files around a hostile one are untouched by it. Hypothesis keeps no example database (database=None)."""

from __future__ import annotations

import gzip
import json
import resource
import tempfile
from pathlib import Path

from event_factory import ping, quiz
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingestion.events import ingest_event_paths
from ingestion.warehouse import write_session

json_scalars = st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats() | st.text(
    max_size=30)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=8), inner, max_size=4), max_leaves=20)
ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)


def _dumps(value: object) -> str:
    return json.dumps(value, allow_nan=True)


@st.composite
def hostile_line(draw: st.DrawFn) -> bytes:
    """One line that must never land."""
    kind = draw(st.sampled_from(["json", "mistyped", "duplicate", "deep", "time", "bytes", "cut", "big number"]))
    base = {"id": "h-" + draw(ids), "type": "VIDEO_PING", "student_id": "s", "occurred_at": "2026-03-02T10:00:00Z",
            "payload": {"position": 1, "duration": 10}}
    if kind == "json":  # any JSON that is not an object with the required fields
        value = draw(json_values)
        if isinstance(value, dict):
            value.pop("id", None)
        return _dumps(value).encode()
    if kind == "mistyped":
        field = draw(st.sampled_from(["id", "student_id", "type", "class_id", "organization_id"]))
        base[field] = draw(st.sampled_from([{"x": 1}, [1], True, 1.5]))
        return _dumps(base).encode()
    if kind == "duplicate":
        text = _dumps(base)
        return (text[:-1] + ', "student_id": "other"}').encode()
    if kind == "deep":
        depth = draw(st.integers(min_value=50, max_value=3000))
        nested = '{"a": ' * depth + "1" + "}" * depth
        return (_dumps({k: v for k, v in base.items() if k != "type"})[:-1] + f', "extra": {nested}}}').encode()
    if kind == "time":
        base["occurred_at"] = draw(st.sampled_from([
            "0001-01-01T00:00:00Z", "9999-12-31T00:00:00Z", "10000-01-01T00:00:00Z", "2026-03-02T10:00:00+99:00",
            "-0044-03-15T12:00:00Z", "2026-02-30T10:00:00Z", "yesterday", "",
        ]))
        return _dumps(base).encode()
    if kind == "bytes":
        return draw(st.binary(min_size=1, max_size=40)).replace(b"\n", b"").replace(b"\r", b"") + b"\xff"
    if kind == "big number":
        base["version"] = draw(st.sampled_from([2**31, 2**63, 10**30, -1, 0.5]))
        return _dumps(base).encode()
    text = _dumps(base)  # cut: a record that ends half-way
    return text[: draw(st.integers(min_value=1, max_value=len(text) - 1))].encode()


@st.composite
def command(draw: st.DrawFn) -> tuple[list[tuple[str, bytes]], set[str]]:
    """Files of one ingest command: a good file, a hostile one between, a good file; lines mixed in each."""
    valid: set[str] = set()

    def good_lines(prefix: str) -> list[bytes]:
        out = []
        for n in range(draw(st.integers(min_value=0, max_value=5))):
            event_id = f"{prefix}-{n}"
            valid.add(event_id)
            make = draw(st.sampled_from([ping, quiz]))
            out.append(_dumps(make(event_id)).encode())
        return out

    def mixed(prefix: str) -> list[bytes]:
        lines = good_lines(prefix) + draw(st.lists(hostile_line(), max_size=4))
        return draw(st.permutations(lines))

    middle_kind = draw(st.sampled_from(["plain", "gzip", "truncated gzip", "json array", "empty"]))
    middle = b"\n".join(mixed("m"))
    if middle_kind == "gzip":
        middle_bytes, name = gzip.compress(middle + b"\n"), "b.ndjson.gz"
    elif middle_kind == "truncated gzip":
        whole = gzip.compress(middle + b"\n")
        middle_bytes, name = whole[: max(1, len(whole) * 2 // 3)], "b.ndjson.gz"
        valid -= {i for i in valid if i.startswith("m-")}  # which of them survive the cut is not known here
    elif middle_kind == "json array":
        middle_bytes, name = b"[" + b",".join(middle.split(b"\n")) + b"]", "b.json"
        valid -= {i for i in valid if i.startswith("m-")}  # a hostile element may break the array before them
    elif middle_kind == "empty":
        middle_bytes, name = b"", "b.json"
        valid -= {i for i in valid if i.startswith("m-")}  # an empty file: nothing of it is written
    else:
        middle_bytes, name = middle + b"\n", "b.ndjson"
    files = [("a.ndjson", b"\n".join(mixed("a")) + b"\n"), (name, middle_bytes),
             ("c.jsonl", b"\n".join(mixed("c")) + b"\n")]
    return files, valid


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(command())
def test_hostile_files_never_crash_and_every_valid_record_lands(generated) -> None:
    files, valid = generated
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, content in files:
            (root / "in" / name).parent.mkdir(parents=True, exist_ok=True)
            (root / "in" / name).write_bytes(content)
        with write_session(root / "lms.duckdb") as con:
            result = ingest_event_paths(con, [root / "in"])
            landed = {i for (i,) in con.execute("select id from landing.lms_events").fetchall()}
            (rejected,) = con.execute("select count(*) from landing.lms_event_rejects").fetchone()
    assert result.records_read == result.accepted + result.duplicates + result.rejected
    assert valid <= landed, f"valid events lost: {sorted(valid - landed)}"
    assert all(i.startswith(("a-", "m-", "c-")) for i in landed), f"a hostile record landed: {sorted(landed)}"
    assert result.accepted == len(landed) and rejected <= result.rejected
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before < 1_000_000  # KiB: under 1 GB more
