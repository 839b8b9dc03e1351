"""book.yaml validation: every problem found at once, each naming the file and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from publish.errors import ConfigError
from publish.layout.profiles import PROFILES
from publish.manuscript.config import BOOK_KEYS, parse_book_yaml
from publish.manuscript.identifiers import slugify
from publish.manuscript.options import SECTIONS
from publish.model import (
    PROFILE_NAMES,
    ContentsOptions,
    EpubOptions,
    PrintOptions,
    settings,
)

BOOK = Path("/books/novel/book.yaml")


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_book_yaml(text, BOOK)
    return [str(problem) for problem in caught.value.problems]


def test_valid_minimal_book():
    config = parse_book_yaml("title: A Book\nlanguage: en\n", BOOK)
    assert config.metadata.title == "A Book"
    assert config.metadata.slug == "a-book"
    assert config.metadata.creators == ()
    assert config.metadata.identifier.startswith("urn:uuid:")
    assert config.chapters is None
    assert (config.print.trim_width_mm, config.print.trim_height_mm) == (139.7, 215.9)


def test_generated_identifier_is_stable():
    first = parse_book_yaml("title: A Book\nlanguage: en\nauthor: A. Writer\n", BOOK).metadata.identifier
    second = parse_book_yaml("title: A Book\nlanguage: en\nauthor: A. Writer\n", BOOK).metadata.identifier
    assert first == second


def test_unknown_key_suggests_the_close_match():
    assert problems("titel: A Book\nlanguage: en\n") == [
        "/books/novel/book.yaml:1: unknown key 'titel' — did you mean 'title'?",
    ]


def test_unknown_key_without_close_match_lists_known_keys():
    [message] = problems("title: A\nlanguage: en\nzzz: 1\n")
    assert message.startswith("/books/novel/book.yaml:3: unknown key 'zzz'; known keys: title, subtitle, author")


def test_wrong_type():
    assert problems("title: [A, B]\nlanguage: en\n") == [
        "/books/novel/book.yaml:1: 'title' must be text, not a list",
    ]


def test_number_where_text_is_needed_says_to_quote_it():
    assert problems("title: A\nlanguage: en\nversion: 1.0\n") == [
        "/books/novel/book.yaml:3: 'version' must be text: write it in quotes, e.g. '1.0'",
    ]


def test_missing_required_field():
    assert problems("title: A Book\n") == ["/books/novel/book.yaml:1: missing required key 'language' "
                                           "(a BCP 47 tag such as en or en-GB)"]


def test_every_problem_is_reported_at_once():
    found = problems("title: A\nlanguage: english please\ndate: yesterday\nslug: Not A Slug\n")
    assert found == [
        "/books/novel/book.yaml:2: language 'english please' is not a BCP 47 tag such as 'en', 'en-GB' or 'fr'",
        "/books/novel/book.yaml:3: date 'yesterday' must look like 2024, 2024-05 or 2024-05-31",
        "/books/novel/book.yaml:4: slug 'Not A Slug' may hold only lowercase letters, digits and single hyphens",
    ]


def test_broken_yaml_gives_line_and_column():
    assert problems("title: A\nlanguage: [en\nsubtitle: x\n") == [
        "/books/novel/book.yaml:3: invalid YAML at column 9: expected ',' or ']', but got ':'; "
        "check the indentation and quoting",
    ]


def test_not_a_mapping():
    assert problems("- just\n- a list\n") == [
        "/books/novel/book.yaml:1: book.yaml must be a mapping of keys such as 'title:' and 'language:', not a list",
    ]


def test_duplicate_key():
    assert problems("title: A\ntitle: B\nlanguage: en\n") == ["/books/novel/book.yaml:2: key 'title' is given twice; keep one"]


def test_chapter_listed_twice():
    assert problems("title: A\nlanguage: en\nchapters:\n  - a.md\n  - b.md\n  - a.md\n") == [
        "/books/novel/book.yaml:6: chapter 'a.md' is listed twice (also at line 4); list it once",
    ]


def test_creators_and_shorthand_author():
    config = parse_book_yaml(
        "title: A\nlanguage: en\nauthor: [One, Two]\ncreators:\n  - name: Three\n    role: trl\n    file_as: Three, T.\n",
        BOOK)
    assert [(c.name, c.role, c.file_as) for c in config.metadata.creators] == [
        ("One", "aut", None), ("Two", "aut", None), ("Three", "trl", "Three, T.")]


def test_unknown_role_suggests_a_code():
    assert problems("title: A\nlanguage: en\ncreators:\n  - name: X\n    role: atu\n") == [
        "/books/novel/book.yaml:5: unknown role 'atu' for creator 1 — did you mean 'aut'?",
    ]


@pytest.mark.parametrize("given, expected", [
    ("978-0-306-40615-7", "urn:isbn:9780306406157"),
    ("urn:isbn:0306406152", "urn:isbn:0306406152"),
    ("6f1c1f3e-2a39-5d1e-9a7b-3c0b7e4d2a11", "urn:uuid:6f1c1f3e-2a39-5d1e-9a7b-3c0b7e4d2a11"),
    ("https://example.org/books/1", "https://example.org/books/1"),
    ("urn:doi:10.1000/182", "urn:doi:10.1000/182"),
])
def test_identifiers(given, expected):
    assert parse_book_yaml(f"title: A\nlanguage: en\nidentifier: '{given}'\n", BOOK).metadata.identifier == expected


def test_bad_isbn_checksum():
    assert problems("title: A\nlanguage: en\nidentifier: 978-0-306-40615-8\n") == [
        "/books/novel/book.yaml:3: identifier '978-0-306-40615-8' is not a valid ISBN (its check digit is wrong)",
    ]


def test_print_options():
    config = parse_book_yaml("title: A\nlanguage: en\nprint:\n  trim_size: 140 x 216 mm\n  chapter_start: flow\n", BOOK)
    assert (config.print.trim_width_mm, config.print.trim_height_mm) == (140.0, 216.0)
    assert config.print.chapter_start == "flow"
    assert parse_book_yaml("title: A\nlanguage: en\nprint:\n  trim_size: 6x9\n", BOOK).print.trim_width_mm == 152.4


def test_bad_print_options_are_reported_in_line_order():
    assert problems("title: A\nlanguage: en\nprint:\n  trim_size: huge\n  chapter_strat: recto\n") == [
        "/books/novel/book.yaml:4: trim_size 'huge' is not a preset (5x8, 5.25x8, 5.5x8.5, 6x9, a5, 129x198mm) "
        "nor a size such as '6 x 9 in' or '140 x 216 mm' between 3 and 17 in",
        "/books/novel/book.yaml:5: unknown key 'chapter_strat' — did you mean 'chapter_start'?",
    ]


def test_printer_profile_options():
    config = parse_book_yaml("title: A\nlanguage: en\nprint:\n  profile: ingram\n  bleed: true\n  crop_marks: true\n"
                             "  pad_to: 16\n  opener: drop-cap\n  section_start: page\n  paper: cream\n"
                             "  page_thickness: 0.0024\n", BOOK)
    options = config.print
    assert (options.profile, options.bleed, options.crop_marks, options.pad_to) == ("ingram", True, True, 16)
    assert (options.opener, options.section_start, options.paper, options.page_thickness_in) == \
        ("drop-cap", "page", "cream", 0.0024)
    defaults = parse_book_yaml("title: A\nlanguage: en\n", BOOK).print
    assert (defaults.profile, defaults.bleed, defaults.pad_to, defaults.opener) == ("kdp", None, 2, "small-caps")


def test_bad_printer_profile_options():
    assert problems("title: A\nlanguage: en\nprint:\n  profile: kdp\n  crop_marks: true\n  pad_to: 3\n"
                    "  paper: glossy\n  bleed: sometimes\n  page_thickness: 1\n") == [
        "/books/novel/book.yaml:5: crop_marks: the kdp profile's printer refuses crop marks; remove "
        "'crop_marks: true' or choose profile: ingram",
        "/books/novel/book.yaml:6: pad_to must be an even whole number such as 2, 16 or 32, not 3",
        "/books/novel/book.yaml:7: paper 'glossy' must be one of white, cream",
        "/books/novel/book.yaml:8: bleed must be true or false, not 'sometimes'",
        "/books/novel/book.yaml:9: page_thickness must be inches per page between 0.001 and 0.01 (white paper is "
        "about 0.0023), not 1",
    ]
    assert problems("title: A\nlanguage: en\nprint:\n  profile: amazon\n") == [
        "/books/novel/book.yaml:4: profile 'amazon' must be one of screen, kdp, ingram, lulu",
    ]


def test_unquoted_date_is_accepted():
    assert parse_book_yaml("title: A\nlanguage: en\ndate: 2019-11-25\n", BOOK).metadata.date == "2019-11-25"


def test_slugify():
    assert slugify("Never Let Me Go (2010)") == "never-let-me-go-2010"
    assert slugify("Éloge de l’ombre") == "eloge-de-lombre"


def test_jobs_is_a_whole_number_of_workers():
    assert parse_book_yaml("title: A\nlanguage: en\njobs: 3\n", BOOK).jobs == 3
    assert parse_book_yaml("title: A\nlanguage: en\n", BOOK).jobs is None
    assert problems("title: A\nlanguage: en\njobs: 0\n") == [
        "/books/novel/book.yaml:3: jobs must be a whole number of worker processes, 1 or more, not 0",
    ]
    assert problems("title: A\nlanguage: en\njobs: many\n") == [
        "/books/novel/book.yaml:3: jobs must be a whole number of worker processes, 1 or more, not 'many'",
    ]


def test_every_options_key_is_declared_once_with_its_default():
    for section, (options, _) in SECTIONS.items():
        declared = settings(options)
        assert declared, section
        keys = [setting.key or name for name, setting in declared]
        assert len(keys) == len(set(keys)), section
        for name, setting in declared:
            assert setting.description and setting.kind, (section, name)
            if setting.choices and not isinstance(getattr(options(), name), tuple):
                assert getattr(options(), name) in setting.choices, (section, name)


def test_a_default_comes_from_the_declaration():
    assert parse_book_yaml("title: A\nlanguage: en\n", BOOK).print == PrintOptions()
    assert parse_book_yaml("title: A\nlanguage: en\nepub:\n  notes: book\n", BOOK).epub == EpubOptions(notes="book")


def test_the_declared_profiles_are_the_printers_the_layout_knows():
    assert set(PROFILE_NAMES) == set(PROFILES)


def test_bad_epub_and_lint_values_say_what_to_give():
    assert problems("title: A\nlanguage: en\nepub:\n  page_list: maybe\n  notes: margin\nlint:\n"
                    "  sentence_words: 5\n") == [
        "/books/novel/book.yaml:4: page_list must be true or false, not 'maybe'",
        "/books/novel/book.yaml:5: notes 'margin' must be one of chapter, book",
        "/books/novel/book.yaml:7: sentence_words must be a whole number of 10 or more, not 5",
    ]


def test_contents_lists_are_checked_against_the_kinds_there_are():
    assert parse_book_yaml("title: A\nlanguage: en\ncontents:\n  lists: [tables, figures]\n", BOOK).contents == \
        ContentsOptions(lists=("tables", "figures"))
    assert problems("title: A\nlanguage: en\ncontents:\n  lists: [figure]\n") == [
        "/books/novel/book.yaml:4: unknown list 'figure' — did you mean 'figures'?"]
    assert problems("title: A\nlanguage: en\ncontents: yes\n") == [
        "/books/novel/book.yaml:3: 'contents' must be a mapping (e.g. 'contents:' then '  lists: [figures, "
        "tables]'), not true/false"]


def test_the_readme_example_shows_every_book_yaml_key():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    example = readme[readme.index("title: Pride and Prejudice"):]
    example = example[:example.index("```")]
    top = set(re.findall(r"^(\w+):", example, re.MULTILINE))
    nested = set(re.findall(r"^  (\w+):", example, re.MULTILINE))
    assert top == set(BOOK_KEYS)
    declared = {setting.key or name for options, _ in SECTIONS.values() for name, setting in settings(options)}
    assert declared and declared <= nested, declared - nested


def test_an_author_named_in_both_places_is_credited_once():
    config = parse_book_yaml("title: A\nlanguage: en\nauthor: One\ncreators:\n  - name: One\n    file_as: One, O.\n"
                             "  - name: Two\n    role: trl\n", BOOK)
    assert [(c.name, c.role, c.file_as) for c in config.metadata.creators] == [
        ("One", "aut", "One, O."), ("Two", "trl", None)]
