from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import settings

from publish.build import BuildOptions, build
from publish.errors import Report
from publish.release.verify import run_ace, run_epubcheck
from tests.helpers import CORPUS, DATA, PROJECT, SEED, SHARED

EPOCH = "1700000000"

# Profiles live here, where pytest's hypothesis plugin finds them before it loads --hypothesis-profile.
settings.register_profile("ci", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile("ci")


def _java_or_skip() -> None:
    if shutil.which("java") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Java is missing: EPUBCheck needs it, and CI must run EPUBCheck")
        pytest.skip("Java is missing: EPUBCheck tests skipped (CI fails instead)")


def assert_epubcheck_and_ace_pass(epub: Path) -> None:
    """EPUBCheck, then Ace: no error and no warning from either."""
    _java_or_skip()
    verdict = run_epubcheck(epub)
    assert (verdict.errors, verdict.warnings) == ((), ())
    _chromium_or_skip()
    verdict = run_ace(epub)
    assert (verdict.errors, verdict.warnings) == ((), ())


def pytest_configure(config):
    # Every build in the tests is stamped with one fixed time, so outputs can be compared byte for byte.
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    if not (CORPUS.is_dir() and SEED.is_file()):
        pytest.exit(f"the tests need the project's shared folder (corpus/ and seed/review.txt) at {SHARED}: put it "
                    "beside the checkout, or set PUBLISH_SHARED to where it is", returncode=4)


class Built:
    def __init__(self, manuscript: Path, out: Path, formats: tuple[str, ...] = ("epub", "pdf", "cover")) -> None:
        self.manuscript = manuscript
        self.report = Report()
        built = dict(zip(formats, build(manuscript, out, list(formats), self.report)))
        self.epub, self.pdf, self.cover = built.get("epub"), built.get("pdf"), built.get("cover")


@pytest.fixture(scope="session")
def review(tmp_path_factory) -> Built:
    return Built(PROJECT / "manuscript", tmp_path_factory.mktemp("review"))


@pytest.fixture(scope="session")
def manifesto(tmp_path_factory) -> Built:
    return Built(CORPUS / "the-communist-manifesto", tmp_path_factory.mktemp("manifesto"))


@pytest.fixture(scope="session")
def features(tmp_path_factory) -> Built:
    return Built(DATA / "features", tmp_path_factory.mktemp("features"))


@pytest.fixture(scope="session")
def epubcheck_verdicts(review, manifesto, features):
    """EPUBCheck on every built EPUB, in parallel: each run pays several seconds of JVM start-up."""
    _java_or_skip()
    books = {"review": review, "manifesto": manifesto, "features": features}
    with ThreadPoolExecutor(max_workers=3) as pool:
        verdicts = dict(zip(books, pool.map(lambda b: run_epubcheck(b.epub), books.values())))
    return verdicts


def _chromium_or_skip() -> None:
    if shutil.which("chromium") is None or not (PROJECT / "node_modules" / ".bin" / "ace-cli").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Ace or Chromium is missing: CI must run Ace ('make ace', Debian's chromium)")
        pytest.skip("Ace or Chromium is missing: Ace tests skipped (CI fails instead)")


@pytest.fixture(scope="session")
def ace_verdicts(review, manifesto, features):
    _chromium_or_skip()
    books = {"review": review, "manifesto": manifesto, "features": features}
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(books, pool.map(lambda b: run_ace(b.epub), books.values())))


@pytest.fixture(scope="session")
def big_books(tmp_path_factory) -> dict[str, Built]:
    """Pride and Prejudice: EPUB, PDF and cover from one print layout."""
    return {"pride-and-prejudice": Built(CORPUS / "pride-and-prejudice", tmp_path_factory.mktemp("pride"))}


@pytest.fixture(scope="session")
def middlemarch(tmp_path_factory) -> Built:
    """Middlemarch, 318k words, as an EPUB without a page list: laying out its 1,152 print pages would take this
    suite past its budget."""
    source = tmp_path_factory.mktemp("middlemarch-source") / "middlemarch"
    shutil.copytree(CORPUS / "middlemarch", source)
    with (source / "book.yaml").open("a", encoding="utf-8") as config:
        config.write("\nepub:\n  page_list: false\n")
    return Built(source, tmp_path_factory.mktemp("middlemarch"), formats=("epub",))


@pytest.fixture
def manuscript_copy(tmp_path) -> Path:
    """A writable copy of the minimal manuscript, for tests that break it."""
    target = tmp_path / "manuscript"
    shutil.copytree(DATA / "minimal", target)
    return target


@pytest.fixture(scope="session")
def profile_builds(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """The review and the Communist Manifesto as a PDF for every printer profile. The review's 12 pages are under
    every printer's minimum, which is the one warning its print builds give."""
    builds = {}
    for book, manuscript in (("review", PROJECT / "manuscript"), ("manifesto", CORPUS / "the-communist-manifesto")):
        out = tmp_path_factory.mktemp(f"{book}-profiles")
        for profile in ("screen", "kdp", "ingram", "lulu"):
            report = Report()
            builds[book, profile] = build(manuscript, out, ["pdf"], report, BuildOptions(profile=profile))[0]
            expected = [] if book == "manifesto" or profile == "screen" else ["this printer takes at least"]
            assert [next((text for text in expected if text in warning.message), warning.message)
                    for warning in report.warnings] == expected, (book, profile, report.warnings)
    return builds
