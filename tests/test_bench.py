"""The benchmark's data generator: exact counts, one extra day of ~1 %, unique ids (no timing here)."""

from __future__ import annotations

import json
from datetime import timedelta

from devtools.bench.run import BENCH_DAYS, BENCH_START, generate


def _events(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_generate_writes_exactly_n_events_with_one_percent_on_one_new_day(tmp_path):
    data = generate(tmp_path, 3000)

    main, new_day = _events(data.main_file), _events(data.new_day_file)
    assert (len(main), len(new_day)) == (2970, 30) == (data.main_events, data.new_day_events)
    ids = [e["id"] for e in main + new_day]
    assert ids == [f"evt-{n:010d}" for n in range(1, 3001)]
    cutoff = (BENCH_START + timedelta(days=BENCH_DAYS)).strftime("%Y-%m-%dT")
    assert all(e["occurred_at"] < cutoff for e in main)
    assert {e["occurred_at"][:11] for e in new_day} == {cutoff}
    assert data.main_last.isoformat() < data.new_day_last.isoformat()
    students = {s["id"] for s in json.loads((data.catalog_dir / "lms_student.json").read_text())}
    assert {e["student_id"] for e in main + new_day} <= students


def test_the_fast_json_lines_equal_the_demo_generators(tmp_path):
    import random

    from devtools.bench.run import _json_line
    from devtools.demo.data import build_catalog, generate_events, to_json_line

    rng = random.Random(7)
    catalog = build_catalog(40, BENCH_START, rng)
    events = list(generate_events(catalog, BENCH_START, BENCH_DAYS, rng))

    assert {e["type"] for e in events} == {"VIDEO_PING", "QUIZ_SUBMIT"}
    for number, event in enumerate(events):
        assert _json_line(event, f"evt-{number}") == to_json_line(event, f"evt-{number}") + "\n"
