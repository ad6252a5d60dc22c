"""What the commands print: a progress bar per long stage on a terminal, nothing but the result lines when the
output is a file or a pipe (no ANSI codes there), and everything (dbt's and Dagster's own logs) with
`--verbose` or `LMS_VERBOSE=1`. dbt's full log always goes to `logs/dbt.log`."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

VERBOSE_ENV = "LMS_VERBOSE"
# Set by a quiet in-process Dagster run (`lms-warehouse run`, `demo`): steps keep dbt's stream off the console.
QUIET_CONSOLE_ENV = "LMS_QUIET_CONSOLE"

Advance = Callable[[int | None], None]  # advance(total): one step done; total, when first known, sizes the bar


def verbose() -> bool:
    return os.environ.get(VERBOSE_ENV, "").strip().lower() in {"1", "true", "yes"}


def set_verbose(on: bool) -> None:
    if on:
        os.environ[VERBOSE_ENV] = "1"


def on_terminal() -> bool:
    return sys.stderr.isatty() and os.environ.get("TERM") != "dumb"


@contextmanager
def stage(description: str) -> Iterator[Advance]:
    """A transient progress bar on stderr while the block runs (a terminal only, and not when verbose: the logs
    then scroll by). The caller prints the stage's result line itself."""
    if not on_terminal() or verbose():
        yield lambda _total=None: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=None)

        def advance(total: int | None = None) -> None:
            if total is not None and bar.tasks[0].total is None:
                bar.update(task, total=total)
            else:
                bar.advance(task)

        yield advance
