"""Output formats: each declares its name and suffix and is looked up here; duplicates are refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from publish.errors import Report
from publish.model import RenderedBook


@dataclass(frozen=True)
class BuildContext:
    report: Report
    modified: datetime  # UTC; stamped into outputs so the same input gives the same bytes
    version: str
    _layouts: dict = field(default_factory=dict, repr=False, compare=False)

    def print_layout(self, book: RenderedBook):
        """The book laid out for print, computed once per build for every format that needs it."""
        from publish.pagination import lay_out

        if id(book) not in self._layouts:
            self._layouts[id(book)] = lay_out(book, self.version, self.report)
        return self._layouts[id(book)]


@dataclass(frozen=True)
class OutputFormat:
    name: str
    suffix: str
    description: str
    build: Callable[[RenderedBook, BuildContext], bytes]


class Registry:
    def __init__(self, formats: list[OutputFormat] | tuple[OutputFormat, ...] = ()) -> None:
        self._formats: dict[str, OutputFormat] = {}
        for output_format in formats:
            self.add(output_format)

    def add(self, output_format: OutputFormat) -> None:
        if output_format.name in self._formats:
            raise ValueError(f"output format '{output_format.name}' is registered twice")
        self._formats[output_format.name] = output_format

    def get(self, name: str) -> OutputFormat:
        return self._formats[name]

    def names(self) -> list[str]:
        return list(self._formats)
