"""Spelling against a real dictionary for the book's language (pyspellchecker's word lists), plus the book's own
word list, `words.txt` beside book.yaml: one word per line (names such as Hailsham), `#` starts a comment."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from publish.manuscript.files import read_utf8
from publish.model import Book, primary_language
from publish.proofing.lint import Finding
from publish.proofing.prose import WORD, Line

WORD_LIST = "words.txt"
LANGUAGES = ("en", "es", "fr", "de", "pt", "it", "nl", "ru", "ar", "eu", "lv", "fa")
# British forms the English list lacks, recognised by their American spelling (colour -> color).
BRITISH = [(r"our", "or"), (r"is(e|es|ed|ing|ation|ations|er|ers)$", r"iz\1"), (r"ys(e|es|ed|ing)$", r"yz\1"),
           (r"tre(s)?$", r"ter\1"), (r"enc(e|es)$", r"ens\1"), (r"ogue(s)?$", r"og\1"), (r"ll(ed|ing|er|ers)$", r"l\1"),
           (r"^grey", "gray"), (r"ae", "e"), (r"oe", "e")]


@lru_cache(maxsize=4)
def _dictionary(language: str):
    from spellchecker import SpellChecker

    return SpellChecker(language=language)


def book_words(root: Path) -> set[str]:
    path = root / WORD_LIST
    if not path.is_file():
        return set()
    words = (line.split("#", 1)[0].strip() for line in read_utf8(path).splitlines())
    return {word.lower() for word in words if word}


def spelling_findings(book: Book, lines: list[Line]) -> Iterator[Finding]:
    language = primary_language(book.metadata.language)
    if language not in LANGUAGES:
        return
    dictionary = _dictionary(language)
    own = book_words(book.root)
    british = book.metadata.language.lower() in ("en-gb", "en-au", "en-nz", "en-ie", "en-za", "en-in")
    unknown_cache: dict[str, bool] = {}
    suggestions: dict[str, str | None] = {}
    for line in lines:
        for match in WORD.finditer(line.text):
            word = match.group(0).replace("’", "'")
            key = re.sub(r"'s$", "", word.lower())
            if key not in unknown_cache:
                unknown_cache[key] = _unknown(key, dictionary, own, british)
            if unknown_cache[key]:
                if key not in suggestions:  # finding a correction is slow: once per word
                    suggestions[key] = dictionary.correction(key) if len(key) < 15 else None
                suggestion = suggestions[key]
                fix = f"did you mean '{suggestion}'? " if suggestion and suggestion != key else ""
                yield Finding(line.path, line.number, match.start() + 1, "warning",
                              f"'{match.group(0)}' is not in the {book.metadata.language} dictionary; {fix}"
                              f"fix it or add it to {WORD_LIST}", "spelling")


def _unknown(word: str, dictionary, own: set[str], british: bool) -> bool:
    if word in own or len(word) < 2 or not dictionary.unknown([word]):
        return False
    if "'" in word and not dictionary.unknown([part for part in word.split("'") if len(part) > 1]):
        return False  # contractions: it's, one's, they'd
    if british:
        for pattern, replacement in BRITISH:
            if re.search(pattern, word) and not dictionary.unknown([re.sub(pattern, replacement, word)]):
                return False
    return True
