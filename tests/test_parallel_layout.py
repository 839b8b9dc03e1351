"""A book laid out in parts by worker processes gives the PDF a single layout gives: the same pages, text,
folios, running heads, contents numbers, labels, boxes and PDF variant, and the same bytes every time."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pikepdf
import pytest

from publish.build import BuildOptions, build
from publish.errors import FormatError, Report
from publish.layout import parallel as parallel_layout
from publish.layout import profiles
from publish.layout import worker as layout_worker
from publish.layout.profiles import profile_named
from publish.manuscript.loading import load_book
from publish.release.verify import check_pdf
from publish.render.book import render_book
from publish.theme.templates import PACKAGE_TEMPLATES
from tests.helpers import CORPUS, pdf_pages

MANIFESTO = CORPUS / "the-communist-manifesto"
SMALL_PARTS = 8  # pages: cuts the Manifesto's body into five parts
SMALL_GROUPS = 16  # pages: and those parts into three PDFs


@pytest.fixture()
def small_parts(monkeypatch):
    monkeypatch.setattr(parallel_layout, "PART_PAGES", SMALL_PARTS)
    monkeypatch.setattr(parallel_layout, "GROUP_PAGES", SMALL_GROUPS)
    calls = []
    original = parallel_layout.lay_out_in_parts

    def spy(book, version, report, profile, stage, jobs, body, *rest, **named):
        calls.append(body)
        return original(book, version, report, profile, stage, jobs, body, *rest, **named)

    monkeypatch.setattr(parallel_layout, "lay_out_in_parts", spy)
    return calls


def test_parts_begin_at_chapters_that_open_with_their_title(small_parts):
    book = render_book(load_book(MANIFESTO), Report())
    kdp = profile_named("kdp")
    parts = parallel_layout.parts(book, kdp, jobs=2)
    assert [[chapter.id for chapter in part] for part in parts] == [
        ["ch-001-preface", "ch-002-introduction"], ["ch-003-chapter-1"], ["ch-004-chapter-2"], ["ch-005-chapter-3"],
        ["ch-006-chapter-4"]]
    assert all(chapter.body_html.lstrip().startswith("<h1") for part in parts for chapter in part[:1])
    assert parallel_layout.groups(book, parts) == [[0, 1], [2, 3], [4]]


def test_one_job_a_screen_pdf_or_chapters_that_do_not_open_on_a_recto_are_laid_out_whole(small_parts):
    book = render_book(load_book(MANIFESTO), Report())
    assert parallel_layout.parts(book, profile_named("kdp"), jobs=1) == []
    assert parallel_layout.parts(book, profile_named("screen"), jobs=2) == []  # links and tags span the book
    flowing = replace(book, print=replace(book.print, chapter_start="page"))
    assert parallel_layout.parts(flowing, profile_named("kdp"), jobs=2) == []


def test_a_book_with_its_own_print_template_is_laid_out_whole(tmp_path, small_parts):
    manuscript = tmp_path / "book"
    shutil.copytree(MANIFESTO, manuscript)
    (manuscript / "templates").mkdir()
    shutil.copy(PACKAGE_TEMPLATES / "print.html", manuscript / "templates")
    book = render_book(load_book(manuscript), Report())
    assert parallel_layout.parts(book, profile_named("kdp"), jobs=2) == []


def _built(out: Path, jobs: int, profile: str | None = None) -> tuple[Path, Report]:
    report = Report()
    formats = ["pdf"] if profile else ["pdf", "epub"]
    paths = build(MANIFESTO, out, formats, report, BuildOptions(profile=profile, jobs=jobs))
    return paths[0], report


def _page_texts(path: Path) -> list[list[str]]:
    # WeasyPrint's hyphen (U+2010) and the hyphen-minus share a glyph: which of the two a PDF's text layer
    # names depends on which the font subset met first, so they count as one.
    return [[line.text.replace("\u2010", "-") for line in page.lines] for page in pdf_pages(path)]


def _structure(path: Path) -> dict:
    with pikepdf.open(path) as pdf:
        with pdf.open_outline() as outline:
            bookmarks = [item.title for item in outline.root]
        return {
            "pages": len(pdf.pages),
            "labels": [str(page.label) for page in pdf.pages],
            "boxes": [[[round(float(v), 3) for v in page.obj[box]] for box in ("/MediaBox", "/TrimBox", "/BleedBox")]
                      for page in pdf.pages],
            "outline": bookmarks,
            "version": pdf.pdf_version,
            "intents": [str(intent.get("/S")) for intent in pdf.Root.get("/OutputIntents", [])],
            "info": {key: str(value) for key, value in pdf.docinfo.items() if key != "/Producer"},
            "xmp": str(pdf.Root.get("/Metadata").read_bytes()) if "/Metadata" in pdf.Root else None,
        }


@pytest.mark.slow
@pytest.mark.parametrize("profile", [None, pytest.param("ingram", marks=pytest.mark.exhaustive)])  # kdp; PDF/X-1a
def test_a_book_laid_out_in_parts_prints_as_a_single_layout_does(tmp_path, small_parts, profile):
    whole, _ = _built(tmp_path / "whole", jobs=1, profile=profile)
    assert small_parts == []
    in_parts, report = _built(tmp_path / "parts", jobs=2, profile=profile)
    assert len(small_parts) == 1 and len(small_parts[0]) == 5  # five parts, laid out by workers
    assert _structure(in_parts) == _structure(whole)
    whole_texts, part_texts = _page_texts(whole), _page_texts(in_parts)
    assert len(part_texts) == len(whole_texts)
    for number, (expected, found) in enumerate(zip(whole_texts, part_texts), start=1):
        assert found == expected, f"page {number}"
    assert check_pdf(in_parts).ok
    with pikepdf.open(in_parts) as pdf:  # each worker's font subsets are tagged apart, as the standard asks
        subsets: dict[str, set] = {}
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                subsets.setdefault(str(font.BaseFont), set()).add(font.objgen)
        assert len(subsets) > 3 and all(len(objects) == 1 for objects in subsets.values())
    if profile is None:  # the ebook's page list comes from the print layout: the same either way
        slug = "the-communist-manifesto"
        starts = [json.loads((tmp_path / folder / ".cache" / slug / "page-starts-kdp.json").read_text())
                  for folder in ("whole", "parts")]
        assert starts[0] == starts[1]


@pytest.mark.slow
def test_a_book_laid_out_in_parts_gives_the_same_bytes_whatever_the_number_of_workers(tmp_path, small_parts):
    first, _ = _built(tmp_path / "two", jobs=2, profile="kdp")
    second, _ = _built(tmp_path / "three", jobs=3, profile="kdp")
    assert len(small_parts) == 2 and first.read_bytes() == second.read_bytes()


def test_a_workers_error_is_reported_as_a_single_layout_reports_it(tmp_path, small_parts):
    manuscript = tmp_path / "book"
    shutil.copytree(MANIFESTO, manuscript)
    (manuscript / "styles").mkdir()
    (manuscript / "styles" / "print.css").write_text('@import url("file:///etc/hostname");\n', encoding="utf-8")
    messages = []
    for jobs in (1, 2):
        with pytest.raises(FormatError) as caught:
            build(manuscript, tmp_path / f"out{jobs}", ["pdf"], Report(), BuildOptions(jobs=jobs))
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and "hostname" in messages[0]
    assert len(small_parts) == 1
    assert not (tmp_path / "out2" / "the-communist-manifesto.pdf").exists()


def test_a_worker_that_dies_ends_the_build_with_a_one_line_error(tmp_path, small_parts, monkeypatch):
    monkeypatch.setattr(parallel_layout, "work", lambda *args: os._exit(3))  # as if killed for want of memory
    with pytest.raises(FormatError) as caught:
        build(MANIFESTO, tmp_path / "out", ["pdf"], Report(), BuildOptions(jobs=2))
    assert str(caught.value) == ("PDF layout: a worker process stopped (exit code 3): out of memory? "
                                 "Build with fewer workers (-j 1 uses none)")
    assert not (tmp_path / "out" / "the-communist-manifesto.pdf").exists()


@pytest.fixture()
def parts_laid_out(tmp_path, monkeypatch) -> Path:
    """A file the workers write the number of each part they lay out to (they are forked: they inherit this)."""
    record = tmp_path / "laid-out.txt"
    original = layout_worker._Worker._lay_out

    def recording(worker, index):
        with record.open("a", encoding="utf-8") as stream:
            stream.write(f"{index}\n")
        return original(worker, index)

    monkeypatch.setattr(layout_worker._Worker, "_lay_out", recording)
    return record


def _laid_out(record: Path) -> list[int]:
    found = sorted(int(line) for line in record.read_text(encoding="utf-8").split()) if record.exists() else []
    record.unlink(missing_ok=True)
    return found


@pytest.mark.slow
def test_a_rebuild_lays_out_again_only_the_parts_an_edit_moved(tmp_path, small_parts, parts_laid_out, monkeypatch):
    manuscript = tmp_path / "book"
    shutil.copytree(MANIFESTO, manuscript)
    fronts = []  # each layout of the front matter
    lay_out_front = parallel_layout._Layout._lay_out_front_inputs
    monkeypatch.setattr(parallel_layout._Layout, "_lay_out_front_inputs",
                        lambda layout, *args: fronts.append(args[0]) or lay_out_front(layout, *args))

    def pdf(out: str) -> bytes:
        fronts.clear()
        return build(manuscript, tmp_path / out, ["pdf"], Report(), BuildOptions(jobs=2))[0].read_bytes()

    pdf("out")
    assert _laid_out(parts_laid_out) == [0, 1, 2, 3, 4]
    assert pdf("out") and _laid_out(parts_laid_out) == []  # nothing changed: every part is taken as it was kept
    last = manuscript / "006-chapter-4.md"
    before, _, after = last.read_text(encoding="utf-8").rpartition(" the ")  # in the text, not the title
    last.write_text(f"{before} teh {after}", encoding="utf-8")
    edited = pdf("out")
    assert _laid_out(parts_laid_out) == [4]  # the last part, alone in its group
    assert len(fronts) == 1  # the front matter laid out ahead, while the part was, and taken: no folio moved
    assert edited == pdf("fresh")  # what a build with nothing kept gives
    _laid_out(parts_laid_out)
    first = manuscript / "001-preface.md"
    first.write_text(first.read_text(encoding="utf-8") + "\n\n" + "A paragraph added at the end. " * 300,
                     encoding="utf-8")
    longer = pdf("out")
    assert _laid_out(parts_laid_out) == [0, 1, 2, 3, 4]  # every folio after the first part moved
    assert longer == pdf("fresh2")


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["not json", *(pytest.param(damage, marks=pytest.mark.exhaustive)
                                                   for damage in ("wrong fields", "group PDF gone"))])
def test_damaged_kept_parts_are_laid_out_again(tmp_path, small_parts, parts_laid_out, damage):
    first = build(MANIFESTO, tmp_path / "out", ["pdf"], Report(), BuildOptions(jobs=2))[0].read_bytes()
    kept = tmp_path / "out" / ".cache" / "the-communist-manifesto" / "layout-kdp"
    counts, groups = sorted(kept.glob("count-*.json")), sorted(kept.glob("group-*.pdf"))
    assert len(counts) == 5 and len(groups) == 3
    if damage == "not json":
        counts[0].write_text("{not json", encoding="utf-8")
    elif damage == "wrong fields":
        counts[0].write_text('{"pages": "many"}', encoding="utf-8")
    else:
        groups[0].unlink()
    _laid_out(parts_laid_out)
    again = build(MANIFESTO, tmp_path / "out", ["pdf"], Report(), BuildOptions(jobs=2))[0].read_bytes()
    assert again == first
    assert len(_laid_out(parts_laid_out)) in (1, 2)  # the parts of one group: the others were kept
    assert len(list(kept.glob("count-*.json"))) == 5 and len(list(kept.glob("group-*.pdf"))) == 3


@pytest.mark.exhaustive  # a variant of the parts layout: make test-all runs it
def test_a_rebuild_keeps_the_parts_of_both_gutters_a_layout_tried(tmp_path, small_parts, parts_laid_out,
                                                                   monkeypatch):
    """When the words' estimate gives a gutter the page count then moves, a layout is made twice; the next one
    takes the parts both attempts kept, and lays out the edited part once with each gutter (it laid every part
    out again, the first attempt's having been deleted), as a build with nothing kept would."""
    manuscript = tmp_path / "book"
    shutil.copytree(MANIFESTO, manuscript)
    monkeypatch.setattr(parallel_layout, "first_geometry",  # as if the words foretold 900 pages: a wider gutter
                        lambda book, profile: profiles.geometry(profile, book.print, 900))

    def pdf(out: str) -> bytes:
        return build(manuscript, tmp_path / out, ["pdf"], Report(), BuildOptions(jobs=2))[0].read_bytes()

    pdf("out")
    assert _laid_out(parts_laid_out) == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]  # the estimated gutter, then the settled
    last = manuscript / "006-chapter-4.md"
    before, _, after = last.read_text(encoding="utf-8").rpartition(" the ")
    last.write_text(f"{before} teh {after}", encoding="utf-8")
    edited = pdf("out")
    assert _laid_out(parts_laid_out) == [4, 4]
    assert edited == pdf("fresh")
