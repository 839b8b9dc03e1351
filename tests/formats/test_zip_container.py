"""The EPUB's zip container: readable by zipfile, the same bytes for the same entries whatever was kept from an
earlier build, and unchanged entries not deflated again."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone

import pytest

from publish.formats.epub import zip_container as container
from publish.formats.epub.zip_container import zip_container

WHEN = datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)
ENTRIES = [("mimetype", b"application/epub+zip", False),
           ("EPUB/one.xhtml", b"<p>one</p>" * 500, True),
           ("EPUB/two.xhtml", b"<p>two</p>" * 500, True),
           ("EPUB/images/caf\u00e9.png", b"\x89PNG not really", True)]


@pytest.fixture
def deflated(monkeypatch) -> list[int]:
    """The sizes of the entries deflated (rather than taken from an earlier archive)."""
    sizes = []
    real = container._deflate

    def counting(data: bytes) -> bytes:
        sizes.append(len(data))
        return real(data)

    monkeypatch.setattr(container, "_deflate", counting)
    return sizes


def test_zipfile_reads_the_entries_in_order_with_their_times():
    archive = zipfile.ZipFile(io.BytesIO(zip_container(ENTRIES, WHEN)))
    assert archive.testzip() is None
    assert [(i.filename, i.compress_type, i.date_time, i.external_attr >> 16, i.extra) for i in archive.infolist()] == [
        (name, zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED, (2023, 11, 14, 22, 13, 20), 0o644, b"")
        for name, _, deflate in ENTRIES]
    assert [archive.read(name) for name, _, _ in ENTRIES] == [data for _, data, _ in ENTRIES]


def test_times_before_1980_are_written_as_1980():
    archive = zipfile.ZipFile(io.BytesIO(zip_container(ENTRIES[:1], datetime(1970, 1, 1, tzinfo=timezone.utc))))
    assert archive.infolist()[0].date_time == (1980, 1, 1, 0, 0, 0)


def test_unchanged_entries_are_taken_from_the_earlier_archive(deflated):
    earlier = zip_container(ENTRIES, WHEN)
    assert len(deflated) == 3
    edited = [*ENTRIES[:2], ("EPUB/two.xhtml", b"<p>2</p>" * 500, True), ENTRIES[3]]
    again = zip_container(edited, WHEN, earlier)
    assert deflated[3:] == [len(b"<p>2</p>" * 500)]
    assert again == zip_container(edited, WHEN)  # the bytes a build with nothing kept gives


@pytest.mark.parametrize("damage", ["garbage", "truncated", "body"])
def test_a_damaged_earlier_archive_is_not_used(damage, deflated):
    earlier = zip_container(ENTRIES, WHEN)
    if damage == "garbage":
        earlier = b"not a zip at all"
    elif damage == "truncated":
        earlier = earlier[: len(earlier) // 2]
    else:  # the deflated text of one.xhtml, overwritten: its name, CRC and size still match
        start = earlier.index(b"EPUB/one.xhtml") + len("EPUB/one.xhtml")
        earlier = earlier[:start] + b"\xff" * 8 + earlier[start + 8:]
    deflated.clear()
    rebuilt = zip_container(ENTRIES, WHEN, earlier)
    assert len(deflated) == (1 if damage == "body" else 3)
    assert rebuilt == zip_container(ENTRIES, WHEN)
