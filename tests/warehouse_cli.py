"""Run `lms-warehouse` commands as a user does (the console script in a subprocess) and read the result."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

CLI = Path(sys.executable).with_name("lms-warehouse")


def run_commands(warehouse: Path, *commands: tuple[str, ...]) -> None:
    """Each command in turn against `warehouse`; the first failure fails the test with its output."""
    env = {**os.environ, "LMS_WAREHOUSE_PATH": str(warehouse)}
    for args in commands:
        done = subprocess.run([str(CLI), *args], capture_output=True, text=True, env=env, check=False)
        assert done.returncode == 0, done.stdout + done.stderr


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
