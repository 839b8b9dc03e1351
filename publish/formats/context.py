"""What a format is built with besides the rendered book: the build's report, time stamp and choices, and the
print layouts the build makes (shared by every format of the build that needs them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from publish.errors import Report
from publish.layout.layouts import PrintLayouts
from publish.layout.profiles import PrintProfile, profile_named
from publish.model import RenderedBook


@dataclass(frozen=True)
class BuildContext:
    report: Report
    modified: datetime  # UTC; stamped into outputs so the same input gives the same bytes
    version: str
    layouts: PrintLayouts = field(repr=False, compare=False)
    profile: str | None = None  # the printer profile asked for on the command line, else the book's
    cache: Path | None = None  # the book's folder for what later builds may reuse; None: keep nothing
    stamp: str | None = None  # printed small at the top of every PDF page (proofs)

    def profile_for(self, book: RenderedBook) -> PrintProfile:
        return profile_named(self.profile or book.print.profile)
