"""How far a build has got: on a terminal, a bar per stage with the time left; elsewhere, one line per stage."""

from __future__ import annotations

import time
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Callable, Iterator, TextIO

Stage = Callable[..., AbstractContextManager]  # stage(name, total=None) -> a context giving advance(count)
BAR_WIDTH = 24
REDRAW_SECONDS = 0.1


class Progress:
    """`stage(name, total)` is a context that gives `advance(count)`; when it ends, a line with the stage's time.
    On a terminal, stages with a total draw a bar with the time left, redrawn at most ten times a second."""

    def __init__(self, stream: TextIO, terminal: bool, quiet: bool = False,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.stream, self.terminal, self.quiet, self.clock = stream, terminal, quiet, clock

    @contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
        started = self.clock()
        done, drawn = 0, 0.0

        def advance(count: int = 1) -> None:
            nonlocal done, drawn
            done += count
            now = self.clock()
            if self.terminal and not self.quiet and total and (now - drawn >= REDRAW_SECONDS or done >= total):
                drawn = now
                self.stream.write("\r" + bar(name, min(done, total), total, now - started) + "\x1b[K")
                self.stream.flush()

        try:
            yield advance
        finally:
            if self.terminal and not self.quiet and total:
                self.stream.write("\r\x1b[K")
        if not self.quiet:
            self.stream.write(f"{name:>7}  {self.clock() - started:6.2f} s\n")


def no_progress(name: str, total: int | None = None) -> AbstractContextManager:
    """A stage that shows nothing: for builds run from code rather than from the command line."""
    return nullcontext(lambda count=1: None)


def bar(name: str, done: int, total: int, elapsed: float) -> str:
    """'render [########----------------]  32/97  0:04 left'"""
    filled = round(BAR_WIDTH * done / total)
    left = f"{_minutes(elapsed / done * (total - done))} left" if done else ""
    return f"{name:>7} [{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {done:>{len(str(total))}}/{total}  {left}"


def _minutes(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"
