"""Progress: a bar with the time left on a terminal, plain stage lines elsewhere; layout counts real pages."""

from __future__ import annotations

import io
import subprocess
import sys
from contextlib import contextmanager

from publish import __version__
from publish.build import Pipeline
from publish.errors import Report
from publish.layout.layouts import PrintLayouts
from publish.layout.profiles import profile_named
from publish.manuscript.loading import load_book
from publish.progress import Progress, bar
from tests.helpers import PROJECT


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_bar_shows_done_total_and_time_left():
    assert bar("render", 3, 12, 6.0) == " render [######------------------]  3/12  0:18 left"
    assert bar("layout", 0, 450, 0.0) == " layout [------------------------]   0/450  "


def test_a_terminal_gets_a_bar_then_the_stage_line():
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, terminal=True, clock=clock)
    with progress.stage("render", 4) as advance:
        for _ in range(4):
            clock.now += 0.5
            advance(1)
    drawn = stream.getvalue()
    assert "\r render [######------------------] 1/4  0:02 left\x1b[K" in drawn
    assert "\r render [########################] 4/4  0:00 left\x1b[K" in drawn
    assert drawn.endswith("\r\x1b[K render    2.00 s\n")


def test_elsewhere_only_plain_stage_lines():
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, terminal=False, clock=clock)
    with progress.stage("render", 4) as advance:
        clock.now += 1.25
        advance(4)
    with progress.stage("epub"):
        clock.now += 0.5
    assert stream.getvalue() == " render    1.25 s\n   epub    0.50 s\n"


def test_quiet_shows_nothing():
    stream = io.StringIO()
    with Progress(stream, terminal=True, quiet=True).stage("render", 2) as advance:
        advance(2)
    assert stream.getvalue() == ""


def test_layout_progress_counts_every_page_of_each_pass():
    counted: dict[str, int] = {}

    @contextmanager
    def stage(name, total=None):
        counted[name] = 0

        def advance(count=1):
            counted[name] += count
        yield advance

    rendered = Pipeline(load_book(PROJECT / "manuscript"), Report()).rendered
    layout = PrintLayouts(rendered, __version__, Report(), stage).layout(profile_named("kdp"))
    last = sorted(counted)[-1]
    assert counted[last] == len(layout.document.pages)
    assert all(count > 0 for count in counted.values())


def test_a_build_on_a_pipe_prints_stage_lines_not_bars(tmp_path):
    result = subprocess.run([sys.executable, "-m", "publish", "build", "epub", "-m", str(PROJECT / "manuscript"),
                             "-o", str(tmp_path)], capture_output=True, text=True, cwd=PROJECT)
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stderr and "[#" not in result.stderr
    assert [line.split()[0] for line in result.stderr.splitlines()][:3] == ["load", "render", "layout"]
