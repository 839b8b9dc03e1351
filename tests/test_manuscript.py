"""Loading the manuscript from disk: chapter files, front matter, encodings."""

from __future__ import annotations

from pathlib import Path

import pytest

from publish.errors import ConfigError, ManuscriptError
from publish.manuscript.loading import load_book


def messages(error) -> list[str]:
    return [str(problem) for problem in error.value.problems]


def test_loads_chapters_in_listed_order(manuscript_copy):
    book = load_book(manuscript_copy)
    assert [c.path.name for c in book.chapters] == ["one.md", "two.md"]
    assert book.chapters[0].text.startswith("# The First Chapter")


def test_every_markdown_file_sorted_when_chapters_absent(manuscript_copy):
    (manuscript_copy / "book.yaml").write_text("title: A\nlanguage: en\n")
    (manuscript_copy / "00-opening.md").write_text("# Opening\n\nText.\n")
    (manuscript_copy / "README.md").write_text("not a chapter")
    assert [c.path.name for c in load_book(manuscript_copy).chapters] == ["00-opening.md", "one.md", "two.md"]


def test_missing_chapter_file(manuscript_copy):
    (manuscript_copy / "book.yaml").write_text("title: A\nlanguage: en\nchapters:\n  - one.md\n  - three.md\n")
    with pytest.raises(ManuscriptError) as error:
        load_book(manuscript_copy)
    assert messages(error) == [f"{manuscript_copy}/book.yaml:5: chapter file 'three.md' not found in manuscript/; "
                               "check the name"]


def test_chapter_outside_the_manuscript(manuscript_copy):
    (manuscript_copy / "book.yaml").write_text("title: A\nlanguage: en\nchapters:\n  - ../elsewhere.md\n")
    with pytest.raises(ManuscriptError) as error:
        load_book(manuscript_copy)
    assert messages(error) == [f"{manuscript_copy}/book.yaml:4: chapter '../elsewhere.md' is outside the manuscript "
                               "folder; copy it into manuscript/"]


def test_no_book_yaml(tmp_path):
    with pytest.raises(ConfigError) as error:
        load_book(tmp_path)
    assert messages(error) == [f"{tmp_path}: no book.yaml in {tmp_path}: create one with at least 'title:' and "
                               "'language:'"]


def test_not_utf8_gives_line_and_byte_offset(manuscript_copy):
    (manuscript_copy / "two.md").write_bytes("# Two\n\nCaf\u00e9\n".encode("latin-1"))
    with pytest.raises(ManuscriptError) as error:
        load_book(manuscript_copy)
    assert messages(error) == [f"{manuscript_copy}/two.md:3: not UTF-8 text (byte 0xe9 at offset 10); "
                               "save the file as UTF-8 in your editor"]


def test_empty_chapter(manuscript_copy):
    (manuscript_copy / "two.md").write_text("\n\n")
    with pytest.raises(ManuscriptError) as error:
        load_book(manuscript_copy)
    assert messages(error) == [f"{manuscript_copy}/two.md:1: chapter is empty; write its text or remove it from "
                               "'chapters'"]


def test_front_matter_sets_title_and_role(manuscript_copy):
    (manuscript_copy / "two.md").write_text("---\ntitle: Foreword\nrole: foreword\n---\nText.\n")
    chapter = load_book(manuscript_copy).chapters[1]
    assert (chapter.title, chapter.role, chapter.text, chapter.first_line) == ("Foreword", "foreword", "Text.\n", 5)


def test_bad_front_matter(manuscript_copy):
    (manuscript_copy / "two.md").write_text("---\ntitel: X\nrole: villain\n---\nText.\n")
    with pytest.raises(ManuscriptError) as error:
        load_book(manuscript_copy)
    assert messages(error) == [
        f"{manuscript_copy}/two.md:2: unknown front matter key 'titel'; use title, role or running_head",
        f"{manuscript_copy}/two.md:2: unknown role 'villain'; use one of chapter, foreword, preface, prologue, "
        "introduction, preamble, part, epilogue, afterword, conclusion, appendix, dedication, epigraph, "
        "acknowledgments, glossary, bibliography",
    ]


def test_problems_in_several_chapters_are_all_reported(manuscript_copy):
    (manuscript_copy / "one.md").write_text("")
    (manuscript_copy / "two.md").write_bytes(b"\xff")
    with pytest.raises(ManuscriptError) as error:
        load_book(manuscript_copy)
    assert len(error.value.problems) == 2


def test_missing_cover(manuscript_copy):
    (manuscript_copy / "book.yaml").write_text("title: A\nlanguage: en\ncover: cover.jpg\n")
    with pytest.raises(ManuscriptError) as error:
        load_book(manuscript_copy)
    assert messages(error) == [f"{manuscript_copy}/book.yaml:3: cover file 'cover.jpg' not found in manuscript/; "
                               "check the name"]


def test_windows_line_endings_and_bom(manuscript_copy):
    (manuscript_copy / "two.md").write_bytes("\ufeff# Two\r\n\r\nText.\r\n".encode("utf-8"))
    assert load_book(manuscript_copy).chapters[1].text == "# Two\n\nText.\n"


def test_chapters_in_subfolders_are_found_in_path_order(tmp_path):
    (tmp_path / "book.yaml").write_text("title: T\nlanguage: en\n")
    for name in ("00-intro.md", "part-2/01-b.md", "part-1/02-a.md", "part-1/01-a.md", "templates/x.md",
                 ".git/y.md", "README.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"# {Path(name).stem}\n\nText.\n")
    chapters = [chapter.path.relative_to(tmp_path).as_posix() for chapter in load_book(tmp_path).chapters]
    assert chapters == ["00-intro.md", "part-1/01-a.md", "part-1/02-a.md", "part-2/01-b.md"]
