"""Proofreading checks on the Markdown as written: each finding has a file, line, column, severity, message with a
suggested fix, and the rule's name. Rules are switched off for a book in book.yaml (`lint: disable: [...]`) and
for one line with a comment on that line: `<!-- lint: ignore -->` or `<!-- lint: ignore rule-a, rule-b -->`."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

from publish.errors import PublishError, Report, display_path
from publish.model import Book, primary_language
from publish.proofing.prose import WORD, Line, paragraphs, prose_lines
from publish.render.book import render_book


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    column: int
    severity: str  # "error" or "warning"
    message: str  # what is wrong and how to fix it
    rule: str

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}:{self.column}: {self.severity}: {self.message} [{self.rule}]"


@dataclass(frozen=True)
class Rule:
    severity: str
    description: str
    check: Callable  # (lines of one chapter, book) -> iterator of (Line, column index, message)
    whole_book: bool = False  # the check sees every chapter's lines at once


IGNORE = re.compile(r"<!--\s*lint:\s*ignore\b\s*([\w\-, ]*?)\s*-->")


# --- the rules -------------------------------------------------------------------------------------------------

def _pattern_rule(pattern: str, message: str, flags: int = 0):
    compiled = re.compile(pattern, flags)

    def check(lines, book):
        for line in lines:
            for match in compiled.finditer(line.text):
                yield line, match.start(), message.format(match=match.group(0).strip())
    return check


def _straight_quotes(lines, book):
    for line in lines:
        for match in re.finditer(r"['\"]", line.text):
            before = line.text[match.start() - 1] if match.start() else " "
            if match.group(0) == "'":
                fix = "’ (apostrophe or closing quote)" if before.isalnum() or before in ".,!?" else "‘ or ’"
            else:
                fix = "“ or ”"
            yield line, match.start(), f"straight quote {match.group(0)}; use {fix}"


def _space_before_punctuation(lines, book):
    marks = "," + ("" if book.metadata.language.lower().startswith("fr") else ";:!?") + "."
    for line in lines:
        for match in re.finditer(rf"(?<=\S) +([{re.escape(marks)}])(?=\s|$)", line.text):
            yield line, match.start(), f"space before '{match.group(1)}'; remove it"


BRACKETS = (("(", ")", "bracket"), ("[", "]", "square bracket"))
QUOTES = {  # the quotation marks each language pairs; a language not named here has only its brackets checked
    "en": (("“", "”"),),
    "fr": (("«", "»"), ("“", "”")), "es": (("«", "»"), ("“", "”")), "it": (("«", "»"), ("“", "”")),
    "pt": (("«", "»"), ("“", "”")), "nl": (("“", "”"),), "de": (("„", "“"), ("»", "«")),
}


def _unbalanced(lines, book):
    """Brackets must close within their paragraph, and so must the language's quotation marks, except that a
    quotation may run on into a paragraph that opens with a quotation mark (a speech over several paragraphs; with
    guillemets the next paragraph may open with », which only says the speech goes on) and may span a block
    quote's paragraphs (a letter quoted whole)."""
    quotes = QUOTES.get(primary_language(book.metadata.language), ())
    for group in paragraphs(lines):
        for opening, closing, name in BRACKETS:
            yield from _unbalanced_pair(group, opening, closing, name, False)
    groups = _quotation_groups(lines, quotes)
    for index, group in enumerate(groups):
        following = groups[index + 1][0].text.lstrip() if index + 1 < len(groups) else ""
        goes_on = ("«", "»") in quotes and group[0].text.lstrip().startswith("»")
        for opening, closing in quotes:
            yield from _unbalanced_pair(group, opening, closing, "quotation", following[:1] in (opening, closing),
                                        goes_on and closing == "»")


def _quotation_groups(lines: list[Line], quotes) -> list[list[Line]]:
    """The paragraphs, with the paragraphs of one block quote taken together, and a block quote inside a
    quotation (a speaker reading out a passage) taken with the paragraphs before and after it."""
    groups: list[list[Line]] = []
    for group in paragraphs(lines):
        previous = groups[-1][-1] if groups else None
        if (previous is not None and _quoted(previous) and _quoted(group[0])
                and _blank_quote_lines_between(lines, previous.number, group[0].number)):
            groups[-1].extend(group)
        else:
            groups.append(group)
    merged: list[list[Line]] = []
    for group in groups:
        if len(merged) >= 2 and _quoted(merged[-1][0]) and not _quoted(merged[-2][0]) and not _quoted(group[0]) \
                and _left_open(merged[-2], quotes):
            quoted = merged.pop()
            merged[-1] = [*merged[-1], *quoted, *group]
        else:
            merged.append(group)
    return merged


def _left_open(group: list[Line], quotes) -> bool:
    text = "".join(line.text for line in group)
    return any(text.count(opening) > text.count(closing) for opening, closing in quotes)


def _quoted(line: Line) -> bool:
    return line.raw.lstrip().startswith(">")


def _blank_quote_lines_between(lines: list[Line], first: int, last: int) -> bool:
    between = [line for line in lines if first < line.number < last]
    return len(between) == last - first - 1 and all(_quoted(line) for line in between)


def _unbalanced_pair(group: list[Line], opening: str, closing: str, name: str, runs_on: bool,
                     goes_on: bool = False):
    """`goes_on`: the paragraph opens with a closing mark that says the previous paragraph's quotation goes on:
    it starts inside that quotation. Where `group` holds several paragraphs (a block quote), one that opens with
    the opening mark while a quotation is open goes on with it rather than opening another."""
    depth, first_open, previous = (1 if goes_on else 0), None, None
    marks = re.compile(f"[{re.escape(opening)}{re.escape(closing)}]")
    for number, line in enumerate(group):
        starts_paragraph = previous is not None and line.number != previous + 1
        previous = line.number
        for mark in marks.finditer(line.text):
            column, char = mark.start(), mark.group()
            at_start = not line.text[:column].strip()
            if goes_on and number == 0 and char == closing and at_start:
                goes_on = False
                continue
            if char == opening and starts_paragraph and at_start and depth > 0 and name == "quotation":
                continue
            if char == opening:
                depth += 1
                first_open = first_open or (line, column)
            elif char == closing:
                depth -= 1
                if depth == 0:
                    first_open = None  # what is left open is what opens after this
                if depth < 0:
                    yield line, column, (f"'{closing}' closes a {name} that was never opened; "
                                         f"add '{opening}' or remove it")
                    depth = 0
    if depth > 0 and first_open and not runs_on:
        yield first_open[0], first_open[1], f"'{opening}' opens a {name} this paragraph never closes; add '{closing}'"


DOUBLES = {  # words a language may write twice in a row on purpose
    "en": {"had", "that", "is", "do", "very"},
    "fr": {"nous", "vous", "que", "elle", "lui"},  # nous nous sommes vus; vous vous trompez
    "de": {"die", "der", "das", "sie"},  # die, die kamen (the comma is often left out)
    "nl": {"die", "dat"},
    "es": {"que"},
    "it": {"che"},
    "pt": {"que"},
}


def _repeated_word(lines, book):
    allowed = DOUBLES.get(primary_language(book.metadata.language), set())
    for group in paragraphs(lines):
        words = [(line, match) for line in group for match in WORD.finditer(line.text)]
        for (first_line, first), (line, second) in zip(words, words[1:]):
            word = second.group(0).lower()
            between = line.text[first.end():second.start()] if line is first_line else \
                first_line.text[first.end():] + line.text[:second.start()]
            if word == first.group(0).lower() and not between.strip() and word not in allowed and len(word) > 1:
                yield line, second.start(), f"'{second.group(0)}' twice in a row; delete one"


def _long_sentence(lines, book):
    limit = book.lint.sentence_words
    too_long = "sentence of {} words (more than {}); consider splitting it"
    for group in paragraphs(lines):
        count, start = 0, None
        for line in group:
            for match in re.finditer(r"[^\W_]+(?:['’-][^\W_]+)*|[.!?]+[”’)\]]*(?=\s|$)", line.text):
                if match.group(0)[0] in ".!?":
                    if count > limit:
                        yield start[0], start[1], too_long.format(count, limit)
                    count, start = 0, None
                else:
                    count += 1
                    start = start or (line, match.start())
        if count > limit:
            yield start[0], start[1], too_long.format(count, limit)


def _image_alt(lines, book):
    for line in lines:
        for match in re.finditer(r"!\[\s*\]\(|<img(?![^>]*\balt=\"[^\"]+\")[^>]*>", line.raw):
            yield line, match.start(), "image without alt text; describe it: ![what it shows](file.png)"


BRITISH_AMERICAN = [(r"(\w{2,})our(s|ed|ing)?$", r"\1or\2"), (r"(\w{3,})is(e|es|ed|ing|ation|ations)$", r"\1iz\2"),
                    (r"(\w{2,})ys(e|es|ed|ing)$", r"\1yz\2"), (r"(\w{3,})tre(s)?$", r"\1ter\2"),
                    (r"^grey(s|ed|ish)?$", r"gray\1")]


def _inconsistent_spelling(lines, book):
    """British and American spellings of one word in one book (colour/color, realise/realize, centre/center)."""
    places: dict[str, list] = defaultdict(list)
    for line in lines:
        for match in WORD.finditer(line.text):
            places[match.group(0).lower()].append((line, match.start(), match.group(0)))
    for british in list(places):
        for pattern, replacement in BRITISH_AMERICAN:
            american = re.sub(pattern, replacement, british) if re.search(pattern, british) else None
            if not american or american == british or american not in places:
                continue
            first = {form: (-len(places[form]), places[form][0][0].path, places[form][0][0].number)
                     for form in (british, american)}
            usual, rare = sorted((british, american), key=first.get)  # the commoner, else the one used first
            times = "once" if len(places[usual]) == 1 else f"{len(places[usual])} times"
            for line, column, word in places[rare]:
                yield line, column, f"'{word}' here but '{usual}' {times} elsewhere in the book; use one spelling"


@lru_cache(maxsize=2)
def _render_problems(book: Book) -> tuple:
    """What rendering the book reports, as findings: dead links and missing images (it is rendered the way
    --keep-going builds, so that every problem is seen), and markup it had to repair."""
    report = Report()
    try:
        render_book(book, report, keep_going=True)
        problems = [(problem, None) for problem in report.warnings]
    except PublishError as error:
        problems = [(problem, "error") for problem in [*report.warnings, *error.problems]]
    found = []
    for problem, severity in problems:
        if problem.path is None or problem.rule in ("image-alt", "glyphs"):  # image-alt reports those; fonts are
            continue  # the build's and check's to report, not the proofreader's
        message = problem.message.replace(" (shown as a placeholder because of --keep-going)", "")
        found.append((problem.rule or "markup", Line(problem.path, problem.line or 1, "", ""), _column(book, problem),
                      message, severity))
    return tuple(found)


def _column(book: Book, problem) -> int:
    """The column of the quoted target ('x.png', '#id') on the problem's line, else 0."""
    quoted = re.search(r"'([^']+)'", problem.message)
    for chapter in book.chapters:
        if chapter.path == problem.path and problem.line and quoted:
            lines = chapter.text.splitlines()
            index = problem.line - chapter.first_line
            if 0 <= index < len(lines):
                return max(lines[index].find(quoted.group(1).lstrip("#")), 0)
    return 0


def _dead_link(lines, book):
    for rule, line, column, message, severity in _render_problems(book):
        if rule == "dead-link":
            yield line, column, message.replace("it is shown as plain text", "fix the target"), severity


def _markup(lines, book):
    for rule, line, column, message, severity in _render_problems(book):
        if rule == "markup":
            yield line, column, message, severity


RULES: dict[str, Rule] = {
    "straight-quotes": Rule("warning", "straight quotes and apostrophes left over", _straight_quotes),
    "double-space": Rule("warning", "two or more spaces between words",
                         _pattern_rule(r"(?<=\S)  +(?=\S)", "several spaces in a row; use one")),
    "space-before-punctuation": Rule("warning", "a space before , ; : ! ? .", _space_before_punctuation),
    "hyphen-as-dash": Rule("warning", "a hyphen or double hyphen where a dash belongs", _pattern_rule(
        r"(?<=\w )-{1,2}(?= \w)|(?<=\w)--(?=\w)|(?<=\b\d{4})-(?=\d{2,4}\b)",
        "'{match}' where a dash belongs: use — (em dash) between clauses or – (en dash) in ranges "
        "such as 1990–95")),
    "unbalanced": Rule("error", "quotes or brackets opened and not closed", _unbalanced),
    "repeated-word": Rule("warning", "a word twice in a row (the the)", _repeated_word),
    "ellipsis": Rule("warning", "three dots for an ellipsis",
                     _pattern_rule(r"(?<!\.)\.\s?\.\s?\.(?!\.)", "'{match}' for an ellipsis; use … (one character)")),
    "inconsistent-spelling": Rule("warning", "one word spelt two ways in the book (colour/color)",
                                  _inconsistent_spelling, whole_book=True),
    "long-sentence": Rule("warning", "a very long sentence", _long_sentence),
    "image-alt": Rule("error", "an image without alt text", _image_alt),
    "dead-link": Rule("error", "a link to an anchor, file or image that does not exist", _dead_link, whole_book=True),
    "markup": Rule("warning", "Markdown or HTML the build has to repair (an unused note, a misplaced tag)", _markup,
                   whole_book=True),
}


def lint_book(book: Book, extra: Callable[[Book, list[Line]], Iterator[Finding]] | None = None) -> list[Finding]:
    """Every finding in the book, in file and line order; `extra` adds findings of another kind (spelling)."""
    lines_by_chapter = [prose_lines(chapter) for chapter in book.chapters]
    every_line = [line for lines in lines_by_chapter for line in lines]
    findings = []
    for name, rule in RULES.items():
        if name in book.lint.disabled:
            continue
        groups = [every_line] if rule.whole_book else lines_by_chapter
        for lines in groups:
            for line, column, message, *severity in rule.check(lines, book):
                findings.append(Finding(line.path, line.number, column + 1, (severity or [None])[0] or rule.severity,
                                        message, name))
    if extra is not None and "spelling" not in book.lint.disabled:
        findings.extend(extra(book, every_line))
    ignored = _ignored_lines(book)
    kept = [f for f in findings if not _is_ignored(f, ignored)]
    return sorted(set(kept), key=lambda f: (str(f.path), f.line, f.column, f.rule))


def _ignored_lines(book: Book) -> dict[tuple[Path, int], set[str] | None]:
    ignored = {}
    for chapter in book.chapters:
        for index, raw in enumerate(chapter.text.splitlines()):
            match = IGNORE.search(raw)
            if match:
                names = {name.strip() for name in match.group(1).split(",") if name.strip()}
                ignored[chapter.path, chapter.first_line + index] = names or None
    return ignored


def _is_ignored(finding: Finding, ignored: dict) -> bool:
    key = (finding.path, finding.line)
    return key in ignored and (ignored[key] is None or finding.rule in ignored[key])
