"""The problems a build can report: user mistakes (errors) and things worth a look (warnings)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class Level(Enum):
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Problem:
    """One finding, located in a file (and line, when known)."""

    message: str
    path: Path | None = None
    line: int | None = None
    level: Level = Level.ERROR
    rule: str | None = None  # the lint rule that reports this kind of problem (dead-link, image-alt), if any

    def __str__(self) -> str:
        place = ""
        if self.path is not None:
            place = display_path(self.path)
            if self.line is not None:
                place += f":{self.line}"
            place += ": "
        prefix = "warning: " if self.level is Level.WARNING else ""
        return f"{place}{prefix}{self.message}"


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class PublishError(Exception):
    """A mistake in the user's input or set-up: reported without a traceback."""

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class ConfigError(PublishError):
    """book.yaml is broken or does not match its schema."""


class ManuscriptError(PublishError):
    """A chapter, image or other manuscript file cannot be used."""


class FormatError(PublishError):
    """An output format could not be produced from a valid manuscript."""


class OutputError(PublishError):
    """An output cannot be written: its folder is a file or read-only, or the disk is full."""


class Report:
    """Collects warnings during a build; `strict` makes any warning fatal at the end."""

    def __init__(self, echo=None) -> None:
        self.warnings: list[Problem] = []
        self._echo = echo

    def warn(self, message: str, path: Path | None = None, line: int | None = None, rule: str | None = None) -> None:
        self.add(Problem(message, path, line, Level.WARNING, rule))

    def add(self, problem: Problem) -> None:
        """A warning found earlier (by a worker process, or by the build an output is kept from)."""
        self.warnings.append(problem)
        if self._echo is not None:
            self._echo(problem)
