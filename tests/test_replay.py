"""`lms-warehouse replay`: a full rebuild from the landed events, compared mart by mart with the state before."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.e2e

CLI = str(Path(sys.executable).parent / "lms-warehouse")
FIXTURE = Path(__file__).parent / "fixtures" / "e2e"
AS_OF = "2024-03-04T18:00:00"


def _cli(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LMS_WAREHOUSE_PATH": str(path)}
    return subprocess.run([CLI, *args], capture_output=True, text=True, check=False, env=env)


@pytest.mark.slow
def test_replay_matches_the_built_state_and_reports_a_difference(tmp_path: Path) -> None:
    path = tmp_path / "lms.duckdb"
    for args in (("ingest", "catalog", str(FIXTURE / "catalog")), ("ingest", "events", str(FIXTURE / "events")),
                 ("build", "--as-of", AS_OF)):
        done = _cli(path, *args)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]

    done = _cli(path, "replay", "--as-of", AS_OF)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    marts = [line.strip() for line in done.stdout.splitlines() if line.startswith("  ") and ": " in line]
    progress = next(line for line in marts if line.startswith("v_user_progress:"))
    assert progress.startswith("v_user_progress: 5 rows, hash ") and progress.endswith(": matches")
    assert len([line for line in marts if line.endswith(": matches")]) >= 12
    assert "replay: all" in done.stdout

    # A mart that no longer equals what the landed events give is reported, and the command fails.
    con = duckdb.connect(str(path))
    con.execute("update main.v_user_progress set quiz_score = 0 where quiz_score is not null")
    con.close()
    done = _cli(path, "replay", "--as-of", AS_OF)
    assert done.returncode == 1
    assert "v_user_progress: 5 rows" in done.stdout and "DIFFERS from the incremental state" in done.stdout
    assert "replay: 1 of" in done.stderr
