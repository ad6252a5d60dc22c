"""The video marts built by dbt from the real data: 22,000 FUN-MOOC xAPI statements and the Open edX events."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from warehouse_cli import query, run_commands

pytestmark = pytest.mark.e2e  # builds the warehouse with dbt (left out of `make test-fast`)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Path:
    """Both real data sets through the command line as a user runs it, then a build."""
    path = tmp_path_factory.mktemp("video") / "lms.duckdb"
    run_commands(
        path,
        ("ingest", "events", str(shared_dir / "data" / "xapi"), str(shared_dir / "data" / "openedx" / "events")),
        ("build", "--as-of", "2026-01-01T00:00:00Z"),
    )
    return path


def _closed_union_seconds(played_segments: str, length: float | None) -> float:
    """What one statement's played-segments alone show: its closed segments, clipped, merged."""
    intervals = []
    for part in played_segments.split("[,]"):
        bounds = part.split("[.]")
        if len(bounds) != 2 or not all(b.strip() for b in bounds):
            continue
        start, end = max(0.0, float(bounds[0])), float(bounds[1])
        end = min(end, length) if length else end
        if end > start:
            intervals.append((start, end))
    total, reach = 0.0, None
    for start, end in sorted(intervals):
        if reach is None or start > reach:
            total += end - start
            reach = end
        elif end > reach:
            total += end - reach
            reach = end
    return total


def test_unique_seconds_never_exceed_the_length_nor_fall_below_one_statements_segments(built):
    viewing = {
        (student, video): (unique, length)
        for student, video, unique, length in query(
            built, "select student_id, video_id, unique_seconds_watched, length_sec from v_video_viewing")
    }
    lengths = dict(query(built, "select video_id, length_sec from intermediate.int_video_lengths"))
    assert len(viewing) > 1000
    assert all(length is None or unique <= length for unique, length in viewing.values())

    statements = query(
        built,
        "select student_id, class_id, json_extract_string(payload_json, '$.played_segments') from landing.lms_events "
        "where json_extract_string(payload_json, '$.played_segments') is not null",
    )
    assert len(statements) > 10000
    shortfalls = [
        (student, video)
        for student, video, segments in statements
        if _closed_union_seconds(segments, lengths.get(video)) > viewing[(student, video)][0] + 0.001
    ]
    assert shortfalls == []


def test_rewatches_completion_and_ratios_are_consistent(built):
    ((rows, completed, bad_ratio, bad_rewatch, bad_completion),) = query(
        built,
        """
        select count(*), sum(is_completed),
               count(*) filter (where abs(watch_ratio - unique_seconds_watched / length_sec) > 0.0001),
               count(*) filter (
                   where abs(rewatched_seconds - (total_seconds_watched - unique_seconds_watched)) > 0.002),
               count(*) filter (where is_completed = 1 and unique_seconds_watched < 0.9 * length_sec - 0.001)
        from v_video_viewing
        """,
    )
    assert rows > 1000 and 0 < completed < rows
    assert (bad_ratio, bad_rewatch, bad_completion) == (0, 0, 0)


def test_segments_and_summary_agree_with_the_viewing(built):
    summary = {
        video: (viewers, full, partial, dropoff)
        for video, viewers, full, partial, dropoff in query(
            built, "select video_id, viewers, full_views, partial_views, dropoff_segment_index from v_video_summary")
    }
    per_video = defaultdict(lambda: [0, 0])
    for video, completed in query(
        built, "select video_id, is_completed from v_video_viewing where unique_seconds_watched > 0"
    ):
        per_video[video][0] += 1
        per_video[video][1] += completed
    assert {video: (v, f, v - f) for video, (v, f) in per_video.items()} == {
        video: values[:3] for video, values in summary.items()
    }
    segments = defaultdict(dict)
    for video, index, viewers in query(built, "select video_id, segment_index, viewers from v_video_segments"):
        segments[video][index] = viewers
    for video, (viewers, _, _, dropoff) in summary.items():
        assert max(segments[video].values()) <= viewers
        if dropoff is not None:
            assert segments[video][dropoff] <= 0.5 * viewers
            assert all(segments[video][i] > 0.5 * viewers for i in range(dropoff))


def test_open_edx_viewing_comes_from_play_and_pause(built):
    """User 3 played the demo video from 0.033 s and paused at 194.407 s (the other play at the same instant,
    from another logged copy, is followed by a play: it adds nothing for the gap)."""
    rows = query(
        built,
        "select unique_seconds_watched, length_sec, is_completed from v_video_viewing "
        "where student_id = 'openedx-user:3' and video_id like 'block-v1:%'",
    )
    assert rows == [(pytest.approx(194.375, abs=0.001), 195.0, 1)]
