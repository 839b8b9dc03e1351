"""The book's fixed strings in its language: the tool's catalogue for the language (catalogues/*.yaml, English
for a language without one), and book.yaml's `strings:` section over it, checked like every other key."""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from publish.manuscript.yaml_document import Validator, type_name
from publish.model import Strings, primary_language

CATALOGUES = Path(__file__).with_name("catalogues")
FALLBACK = "en"


@cache
def catalogue(language: str) -> dict[str, str]:
    """The catalogue of a language the tool has one for ('fr', not 'fr-CA')."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's reads it in a tenth of the time
    return yaml.load((CATALOGUES / f"{language}.yaml").read_text(encoding="utf-8"), Loader=loader)


def catalogue_language(tag: str) -> str:
    """The catalogue that serves a BCP 47 tag: its primary language ('pt' for 'pt-BR'), else English."""
    primary = primary_language(tag)
    return primary if (CATALOGUES / f"{primary}.yaml").is_file() and primary.isalpha() else FALLBACK


def languages() -> list[str]:
    return sorted(path.stem for path in CATALOGUES.glob("*.yaml"))


def book_strings(tag: str, overrides: Any, check: Validator) -> Strings:
    """The strings for a book in language `tag`, with the `strings:` section's overrides (problems to `check`)."""
    language = catalogue_language(tag)
    entries = {**catalogue(FALLBACK), **catalogue(language)}
    if overrides is None:
        return Strings(language, entries)
    if not isinstance(overrides, dict):
        check.problem(f"'strings' must be a mapping (e.g. 'strings:' then '  contents: Inhalt'), not "
                      f"{type_name(overrides)}", "strings")
        return Strings(language, entries)
    check.check_keys(overrides, dict.fromkeys(entries), "strings")
    for key, text in overrides.items():
        if key in entries and _valid(key, text, entries[key], check):
            entries[key] = text
    return Strings(language, entries)


def _valid(key: str, text: Any, default: str, check: Validator) -> bool:
    """A text whose `{name}` placeholders are among those the tool fills in for this string."""
    if not isinstance(text, str):
        check.problem(f"strings: {key} must be text, not {type_name(text)}", "strings", key)
        return False
    allowed = _placeholders(default)
    try:
        used = _placeholders(text)
    except ValueError:
        used = None
    if used is None or not used <= allowed:
        names = ", ".join(f"{{{name}}}" for name in sorted(allowed)) or "none"
        check.problem(f"strings: {key} may hold only these placeholders: {names} (write {{{{ and }}}} for a "
                      f"brace)", "strings", key)
        return False
    return True


def _placeholders(text: str) -> set[str]:
    """The `{name}` fields of a format string; ValueError for a malformed one, or a field with an index,
    attribute or format spec (only plain names are filled in)."""
    found = set()
    for _, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise ValueError(name)
        found.add(name)
    return found
