"""publish lint: each rule on text that triggers it and on clean text that must not; suppression; spelling."""

from __future__ import annotations

from pathlib import Path

import pytest

from publish.manuscript.fonts import shipped_typefaces
from publish.manuscript.loading import load_book
from publish.model import (
    LINT_RULES,
    Book,
    ChapterSource,
    LintOptions,
    Metadata,
    PrintOptions,
)
from publish.proofing.lint import RULES, lint_book
from publish.proofing.prose import prose_lines
from publish.proofing.spelling import spelling_findings, unknown_words
from tests.helpers import PROJECT
from tests.test_cli import run

CHAPTER = Path("/books/novel/one.md")


def book_of(*texts: str, language: str = "en-US", disabled: tuple[str, ...] = ()) -> Book:
    chapters = tuple(ChapterSource(CHAPTER.with_name(f"{n}.md"), text, 1, title=f"Chapter {n}")
                     for n, text in enumerate(texts, start=1))
    metadata = Metadata(title="T", language=language, identifier="urn:uuid:0", slug="t")
    return Book(Path("/books/novel"), metadata, PrintOptions(139.7, 215.9, "recto", 2), chapters,
                lint=LintOptions(disabled), fonts=shipped_typefaces())


def findings(*texts: str, **options) -> list[tuple[int, int, str]]:
    return [(f.line, f.column, f.rule) for f in lint_book(book_of(*texts, **options))]


TRIGGERS = {
    "straight-quotes": ('He said "no" and left.', [(1, 9, "straight-quotes"), (1, 12, "straight-quotes")]),
    "double-space": ("One  two.", [(1, 4, "double-space")]),
    "space-before-punctuation": ("Wait , then go !", [(1, 5, "space-before-punctuation"),
                                                      (1, 15, "space-before-punctuation")]),
    "hyphen-as-dash": ("It was - and is -- good, from 1990-1995.", [(1, 8, "hyphen-as-dash"), (1, 17, "hyphen-as-dash"),
                                                                    (1, 35, "hyphen-as-dash")]),
    "unbalanced": ("A (note without end.\n\nA close) here.", [(1, 3, "unbalanced"), (3, 8, "unbalanced")]),
    "repeated-word": ("It was the the best.", [(1, 12, "repeated-word")]),
    "ellipsis": ("And then...", [(1, 9, "ellipsis")]),
    "long-sentence": (" ".join(f"w{n}x" for n in range(61)) + ".", [(1, 1, "long-sentence")]),
    "image-alt": ("![](images/a.png)", [(1, 1, "image-alt"), (1, 5, "dead-link")]),
    "dead-link": ("See [there](#nowhere) and [that](other.md).", [(1, 14, "dead-link"), (1, 34, "dead-link")]),
    "markup": ("Text.[^1]\n\n[^1]: Used.\n\n[^2]: Never referred to.", [(5, 1, "markup")]),
}

CLEAN = """# A Chapter {#start}

“Quotes,” she said — and ‘so’ it’s fine… The years 1990–95 were good.
It rained; had had enough (that is all). See [the start](#start) and [the next part](#next).

## Next {#next}

> “A letter over two paragraphs,
>
> “goes on here.”

`code "with" straight quotes  and -- dashes` stays out, as do <span class="x">tags</span>.
Emoticons are no brackets ;) nor :-( these.

```
fenced "code" -- too
```
"""


@pytest.mark.parametrize("rule", sorted(TRIGGERS))
def test_rule_finds_its_fault(rule):
    text, expected = TRIGGERS[rule]
    assert findings(text) == expected


def test_every_rule_has_a_trigger_case():
    assert set(TRIGGERS) | {"inconsistent-spelling"} == set(RULES)


def test_dead_link_messages_come_from_the_build():
    messages = [f.message for f in lint_book(book_of(TRIGGERS["dead-link"][0]))]
    assert messages == ["link to anchor '#nowhere' leads nowhere in the book; fix the target",
                        "link to file 'other.md' leads nowhere in the book; fix the target"]


def test_clean_text_gives_no_findings():
    assert findings(CLEAN) == []


def test_inconsistent_spellings_across_chapters():
    found = lint_book(book_of("The colour red, a colour blue.", "A color green; we realise it.", "We realize."))
    assert [(f.path.name, f.line, f.column, f.message) for f in found] == [
        ("2.md", 1, 3, "'color' here but 'colour' 2 times elsewhere in the book; use one spelling"),
        ("3.md", 1, 4, "'realize' here but 'realise' once elsewhere in the book; use one spelling"),
    ]


def test_rules_switched_off_for_the_book_and_for_one_line():
    assert findings('He said "no".', disabled=("straight-quotes",)) == []
    text = 'He said "no". <!-- lint: ignore straight-quotes -->\nShe said "yes".\nOne  two. <!-- lint: ignore -->'
    assert findings(text) == [(2, 10, "straight-quotes"), (2, 14, "straight-quotes")]


def test_spelling_switched_off_in_book_yaml():
    assert lint_book(book_of("A wrod.", disabled=("spelling",)), spelling_findings) == []
    assert [f.rule for f in lint_book(book_of("A wrod."), spelling_findings)] == ["spelling"]


def test_french_keeps_its_space_before_double_punctuation():
    assert findings("Vraiment ? Oui !", language="fr") == []


def test_finding_format_and_exit_codes(tmp_path):
    manuscript = tmp_path / "m"
    manuscript.mkdir()
    (manuscript / "book.yaml").write_text("title: T\nlanguage: en\nlint:\n  disable: [long-sentence]\n")
    (manuscript / "one.md").write_text("# One\n\nA (bracket.\n\nThe the end...\n")
    result = run("lint", "-m", str(manuscript), "--no-spelling")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{manuscript}/one.md:3:3: error: '(' opens a bracket this paragraph never closes; add ')' [unbalanced]",
        f"{manuscript}/one.md:5:5: warning: 'the' twice in a row; delete one [repeated-word]",
        f"{manuscript}/one.md:5:12: warning: '...' for an ellipsis; use … (one character) [ellipsis]",
    ]
    assert result.stderr.strip() == "1 errors, 2 warnings"
    (manuscript / "one.md").write_text("# One\n\nAll is well.\n")
    assert run("lint", "-m", str(manuscript), "--no-spelling").returncode == 0


def test_unknown_rule_in_book_yaml_is_refused(tmp_path):
    (tmp_path / "book.yaml").write_text("title: T\nlanguage: en\nlint:\n  disable: [straight-quote]\n")
    (tmp_path / "one.md").write_text("# One\n")
    result = run("lint", "-m", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.strip().endswith("book.yaml:4: unknown lint rule 'straight-quote' — did you mean "
                                          "'straight-quotes'?")


def test_review_spelling_is_clean_with_its_word_list():
    book = load_book(PROJECT / "manuscript")
    assert lint_book(book, spelling_findings) == []
    names = (PROJECT / "manuscript" / "words.txt").read_text(encoding="utf-8")
    assert "Hailsham" in names


def test_spelling_finds_misspellings_and_suggests(tmp_path):
    book = book_of("The film is quietly devastatting. Hailsham is a place.\nThe colour of it.", language="en-GB")
    found = list(spelling_findings(book, prose_lines(book.chapters[0])))
    assert [(f.line, f.column) for f in found] == [(1, 21), (1, 35)]
    assert "did you mean 'devastating'?" in found[0].message
    american = book_of("The colour of it.", language="en-US")
    assert [f.message.split("'")[1] for f in lint_book(american, spelling_findings)] == ["colour"]


def test_book_yaml_knows_every_lint_rule():
    assert RULES
    assert set(LINT_RULES) == {*RULES, "spelling"}


NOIR = PROJECT / "tests" / "data" / "noir"


def test_french_noir_prose_gives_only_the_unknown_name(tmp_path):
    """Elisions (jusqu’à, l’œil), ligatures (cœur), doubled pronouns (vous vous), guillemets over two paragraphs,
    dialogue dashes, math, a padded table, code and a URL: nothing is a fault but the detective's name."""
    book = load_book(NOIR)
    found = [(f.path.name, f.line, f.rule, f.severity) for f in lint_book(book, spelling_findings)]
    assert found == [("01-le-port.md", 3, "spelling", "warning"), ("01-le-port.md", 17, "spelling", "warning"),
                     ("02-le-rapport.md", 26, "spelling", "warning")]
    lines = [line for chapter in book.chapters for line in prose_lines(chapter)]
    assert unknown_words(book, lines) == ["Delorme"]
    result = run("lint", "--unknown-words", "-m", str(NOIR))
    assert result.returncode == 0 and result.stdout == "Delorme\n"


FAULTS_BY_LANGUAGE = {  # (language, text, the findings a writer must see)
    "fr": ("« Il vint sans rien dire.\n\nPuis il dit le le mot : maisn.\n",
           [(1, 1, "unbalanced", "error"), (3, 16, "repeated-word", "warning"), (3, 25, "spelling", "warning")]),
    "de": ("„Komm“, sagte sie. „Wohin?\n\nDie, die kamen, und die die gingen.\n", [(1, 20, "unbalanced", "error")]),
    "en": ("“Come,” she said. «Here» and “there.\n\nAnd then.\n", [(1, 30, "unbalanced", "error")]),
    "ja": ("「雨」と彼は言った。“\n", []),
}


@pytest.mark.parametrize("language", sorted(FAULTS_BY_LANGUAGE))
def test_rules_follow_the_books_language(language):
    """Each language's quotation marks are paired (and only those: no English quotes rule on « » or on German
    „…“), its doubled words allowed, its spelling checked; real faults are still found."""
    text, expected = FAULTS_BY_LANGUAGE[language]
    found = [(f.line, f.column, f.rule, f.severity) for f in lint_book(book_of(text, language=language),
                                                                         spelling_findings)]
    assert found == expected


def test_spelling_suggests_one_edit_away():
    found = [f.message for f in lint_book(book_of("Il dit maisn.", language="fr"), spelling_findings)]
    assert found == ["'maisn' is not in the fr dictionary; did you mean 'mais'? fix it or add it to words.txt"]
