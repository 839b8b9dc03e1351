"""Output formats: each declares its name and suffix and is looked up here; duplicates are refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from publish.formats.context import BuildContext
from publish.model import RenderedBook


@dataclass(frozen=True)
class OutputFormat:
    name: str
    suffix: str
    description: str
    build: Callable[[RenderedBook, BuildContext], bytes]
    has_profiles: bool = False  # built for a printer profile: another than the book's goes to <slug>-<profile>

    def file_name(self, slug: str, book_profile: str, chosen_profile: str | None) -> str:
        if self.has_profiles and chosen_profile and chosen_profile != book_profile:
            return f"{slug}-{chosen_profile}{self.suffix}"
        return f"{slug}{self.suffix}"


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
