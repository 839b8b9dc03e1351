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
ELISIONS = {  # what a language elides before an apostrophe: l’homme, jusqu’à, dell’arte
    "fr": {"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu", "presqu", "quelqu",
           "aujourd"},
    "it": {"l", "d", "c", "un", "all", "dall", "dell", "nell", "sull", "coll", "quell", "bell", "sant", "po"},
    "ca": {"l", "d", "m", "n", "s", "t"},
    "pt": {"d", "n"},
}
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "Œ": "OE", "Æ": "AE"})  # cœur is coeur in the word lists


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
    suggestions: dict[str, str | None] = {}
    for line, match, key, dictionary in _unknown_matches(book, lines):
        if key not in suggestions:
            suggestions[key] = _suggestion(key, dictionary)
        suggestion = suggestions[key]
        fix = f"did you mean '{suggestion}'? " if suggestion and suggestion != key else ""
        yield Finding(line.path, line.number, match.start() + 1, "warning",
                      f"'{match.group(0)}' is not in the {book.metadata.language} dictionary; {fix}"
                      f"fix it or add it to {WORD_LIST}", "spelling")


def unknown_words(book: Book, lines: list[Line]) -> list[str]:
    """The words the spelling check reports, each once as first written, in alphabetical order: what
    `publish lint --unknown-words` prints for words.txt."""
    seen: dict[str, str] = {}
    for _, match, key, _ in _unknown_matches(book, lines):
        seen.setdefault(key, match.group(0))
    return sorted(seen.values(), key=lambda word: (word.lower(), word))


def _unknown_matches(book: Book, lines: list[Line]):
    """(line, word match, lower-case key, dictionary) for each word neither the language's list nor words.txt has."""
    language = primary_language(book.metadata.language)
    if language not in LANGUAGES:
        return
    dictionary = _dictionary(language)
    own = book_words(book.root)
    british = book.metadata.language.lower() in ("en-gb", "en-au", "en-nz", "en-ie", "en-za", "en-in")
    elisions = ELISIONS.get(language, set())
    unknown_cache: dict[str, bool] = {}
    for line in lines:
        for match in WORD.finditer(line.text):
            word = match.group(0).replace("’", "'")
            key = re.sub(r"'s$", "", word.lower()) if language == "en" else word.lower()
            if key not in unknown_cache:
                unknown_cache[key] = _unknown(key, dictionary, own, british, elisions)
            if unknown_cache[key]:
                yield line, match, key, dictionary


def _suggestion(word: str, dictionary) -> str | None:
    """The commonest known word one edit away (a letter left out, added, changed or two swapped), if any: the
    word lists' own correction() tries two edits and takes seconds a word."""
    known = dictionary.word_frequency.dictionary
    letters = dictionary.word_frequency.letters
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {left + right[1:] for left, right in splits if right}
    edits |= {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
    edits |= {left + letter + right[1:] for left, right in splits if right for letter in letters}
    edits |= {left + letter + right for left, right in splits for letter in letters}
    found = [edit for edit in edits if edit in known and edit != word]
    return max(found, key=lambda edit: (known[edit], edit)) if found else None


def _unknown(word: str, dictionary, own: set[str], british: bool, elisions: set[str] = frozenset()) -> bool:
    if word in own or len(word) < 2 or not dictionary.unknown([word]):
        return False
    plain = word.translate(LIGATURES)
    if plain != word and not dictionary.unknown([plain]):
        return False
    if "'" in word:
        elided, _, rest = word.partition("'")
        if elided in elisions and not _unknown(rest, dictionary, own, british, elisions):
            return False  # l'homme, jusqu'à, quelqu'un
        if not dictionary.unknown([part for part in word.split("'") if len(part) > 1]):
            return False  # contractions: it's, one's, they'd
    if british:
        for pattern, replacement in BRITISH:
            if re.search(pattern, word) and not dictionary.unknown([re.sub(pattern, replacement, word)]):
                return False
    return True
