"""What the user sees: one rich console, progress bars for long work and summary tables at the end.

Every long-running command goes through these helpers so that output looks the same everywhere and
stays readable when stdout is a log file (rich drops colours and redraws there).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

console = Console(stderr=True)
T = TypeVar("T")


def progress() -> Progress:
    """A progress display with count, elapsed and remaining time; use as a context manager."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Iterate with a progress bar (``total`` defaults to ``len(items)`` where it has one)."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with progress() as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            bar.advance(task)


def summary_table(
    title: str, rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None
) -> Table:
    """A table of dict rows; columns default to the keys of the first row, in order."""
    table = Table(title=title, title_justify="left")
    columns = list(columns or (rows[0].keys() if rows else []))
    for column in columns:
        table.add_column(str(column), overflow="fold")
    for row in rows:
        table.add_row(*(format_value(row.get(column, "")) for column in columns))
    return table


def format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


@contextmanager
def polling(refresh: Callable[[], None], interval_s: float = 0.5) -> Iterator[None]:
    """Call ``refresh`` every ``interval_s`` seconds from a background thread while the block runs, and
    once more after it: progress read from files that other processes (datatrove workers) write."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval_s):
            refresh()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        refresh()


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Print a stage heading and its wall time, so a long run reads as a list of steps."""
    import time

    console.rule(f"[bold cyan]{name}")
    start = time.perf_counter()
    yield
    console.print(f"[green]done[/] {name} in {time.perf_counter() - start:.1f} s")


@contextmanager
def stderr_to_file(log_path: Path) -> Iterator[None]:
    """Send everything written to file descriptor 2 to ``log_path`` while the progress display keeps the terminal.

    datatrove's executors log every task's pipeline and stats to stderr, from this process and from
    its worker processes; a user wants progress bars and a summary, with the details in a file.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(2)
    terminal = os.fdopen(os.dup(saved), "w", buffering=1)
    previous = console._file
    try:
        with open(log_path, "ab") as log:
            os.dup2(log.fileno(), 2)
            console.file = terminal
            yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        console.file = previous
        terminal.close()
