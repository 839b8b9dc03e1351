"""The command line as a user runs it: exit codes, one-line errors, no traceback, outputs left intact."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from publish import __version__
from tests.helpers import PROJECT


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    return subprocess.run([sys.executable, "-m", "publish", *args], capture_output=True, text=True, env=env,
                          cwd=cwd or PROJECT)


def test_version():
    result = run("--version")
    assert (result.returncode, result.stdout.strip()) == (0, f"publish {__version__}")


def test_help_lists_the_commands():
    result = run("--help")
    assert result.returncode == 0
    for command in ("build", "check", "verify"):
        assert command in result.stdout


def test_usage_error_exits_2():
    result = run("build", "mobi")
    assert result.returncode == 2
    assert "invalid choice: 'mobi'" in result.stderr


def _files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def test_check_validates_without_building(manuscript_copy, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    before = _files(tmp_path)
    result = run("check", "-m", str(manuscript_copy), cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert "2 chapters, 0 warnings" in result.stderr
    assert before and _files(tmp_path) == before  # nothing written, in the manuscript or where it ran


def test_build_epub_writes_slug_named_file_with_stage_lines(manuscript_copy, tmp_path):
    out = tmp_path / "out"
    result = run("build", "epub", "-m", str(manuscript_copy), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == ["a-small-book.epub"]
    stages = [line.split()[0] for line in result.stderr.splitlines() if line.strip().endswith(" s")]
    # The EPUB's page list needs the print layout: its passes are stages of their own, inside the EPUB's.
    assert stages[:3] == ["load", "render", "layout"] and stages[-1] == "epub"
    assert set(stages[3:-1]) <= {"layout"}


def test_user_mistake_is_one_line_exit_1_no_traceback_and_outputs_untouched(manuscript_copy, tmp_path):
    out = tmp_path / "out"
    assert run("build", "epub", "-m", str(manuscript_copy), "-o", str(out)).returncode == 0
    before = (out / "a-small-book.epub").read_bytes()
    (manuscript_copy / "book.yaml").write_text("titel: A Small Book\nlanguage: en-GB\n")
    result = run("build", "-m", str(manuscript_copy), "-o", str(out))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"{manuscript_copy}/book.yaml:1: unknown key 'titel' — did you mean 'title'?",
    ]
    assert (out / "a-small-book.epub").read_bytes() == before
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == ["a-small-book.epub"]  # no partial files left


def test_verbose_shows_the_traceback(manuscript_copy):
    (manuscript_copy / "book.yaml").write_text("title: A\n")
    result = run("check", "-v", "-m", str(manuscript_copy))
    assert result.returncode == 1
    assert "Traceback" in result.stderr


def test_strict_fails_on_warnings_and_writes_nothing(manuscript_copy, tmp_path):
    (manuscript_copy / "two.md").write_text("# Two\n\n<center>old markup</center>\n")
    out = tmp_path / "out"
    result = run("build", "epub", "--strict", "-m", str(manuscript_copy), "-o", str(out))
    assert result.returncode == 1
    assert "1 warnings and --strict: nothing written" in result.stderr
    assert not out.exists() or not any(p.is_file() for p in out.iterdir())  # (build/.cache aside)


@pytest.mark.parametrize("command", ["check", "lint", "build", "proof", "dist"])
def test_strict_makes_a_warning_fail_every_command_that_takes_it(manuscript_copy, tmp_path, command):
    (manuscript_copy / "two.md").write_text("# Two\n\n<center>old markup</center>\n")
    out = tmp_path / "out"
    where = [] if command in ("check", "lint") else ["-o", str(out)]
    before = _files(manuscript_copy)
    result = run(command, "--strict", "-m", str(manuscript_copy), *where, *(["--no-spelling"] * (command == "lint")))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    if command == "lint":
        assert "removed obsolete <center>" in result.stdout and result.stderr.strip().startswith("0 errors, ")
    else:
        assert "warnings and --strict" in result.stderr
    assert _files(manuscript_copy) == before
    assert not out.exists() or [path for path in _files(out) if ".cache" not in path.parts] == []


@pytest.mark.parametrize("command", ["outputs", "serve", "verify"])
def test_commands_that_report_no_warnings_take_no_strict(command):
    result = run(command, "--strict")
    assert result.returncode == 2 and "unrecognized arguments: --strict" in result.stderr


def test_relative_paths_in_messages(tmp_path):
    book = tmp_path / "novel"
    book.mkdir()
    (book / "book.yaml").write_text("title: A\nlanguage: en\nchapters: [missing.md]\n")
    result = run("check", "-m", "novel", cwd=tmp_path)
    assert result.stderr.strip() == "novel/book.yaml:3: chapter file 'missing.md' not found in novel/; check the name"


@pytest.mark.parametrize("flag", ["--quiet", "-q"])
def test_quiet_prints_nothing_on_success(manuscript_copy, tmp_path, flag):
    result = run("build", "epub", flag, "-m", str(manuscript_copy), "-o", str(tmp_path / "o"))
    assert (result.returncode, result.stderr, result.stdout) == (0, "", "")


def test_verify_runs_the_validators_on_built_outputs(manuscript_copy, tmp_path):
    from tests.conftest import _chromium_or_skip, _java_or_skip

    _java_or_skip()
    _chromium_or_skip()
    out = tmp_path / "out"
    missing = run("verify", "-m", str(manuscript_copy), "-o", str(out))
    assert missing.returncode == 1 and "not built yet; run 'publish build' first" in missing.stderr
    assert run("build", "-q", "-m", str(manuscript_copy), "-o", str(out)).returncode == 0
    result = run("verify", "-m", str(manuscript_copy), "-o", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[:3] == [
        "EPUBCheck: a-small-book.epub: 0 errors, 0 warnings",
        "Ace: a-small-book.epub: 0 errors, 0 warnings",
        "PDF check: a-small-book.pdf: 0 errors, 0 warnings",
    ]


def test_profile_option_names_its_output(tmp_path):
    result = run("build", "pdf", "--profile", "screen", "-q", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".pdf"] == ["never-let-me-go-2010-screen.pdf"]
    listed = run("outputs", "pdf", "--profile", "screen", "-o", str(tmp_path)).stdout.split()
    assert listed == [str(tmp_path / "never-let-me-go-2010-screen.pdf")]
    assert run("outputs", "cover").stdout.split() == ["build/never-let-me-go-2010-cover.pdf"]


def test_ingram_without_its_colour_profile_says_what_to_install(tmp_path, monkeypatch):
    from publish.build import BuildOptions, build
    from publish.errors import PublishError, Report
    from publish.layout import profiles

    monkeypatch.setattr(profiles, "CMYK_PROFILE", tmp_path / "missing" / "default_cmyk.icc")
    with pytest.raises(PublishError) as error:
        build(PROJECT / "manuscript", tmp_path, ["pdf"], Report(), BuildOptions(profile="ingram"))
    assert str(error.value) == (f"the ingram profile needs the CMYK colour profile {tmp_path}/missing/"
                                "default_cmyk.icc: install the Debian package libgs-common "
                                "(apt-get install libgs-common)")
    assert list(tmp_path.glob("*.pdf")) == []


def test_jobs_must_be_a_positive_number(manuscript_copy, tmp_path):
    result = run("build", "epub", "-j", "0", "-m", str(manuscript_copy), "-o", str(tmp_path))
    assert result.returncode == 2
    assert "argument -j/--jobs: must be a whole number, 1 or more, not '0'" in result.stderr


def test_a_book_under_the_printers_page_minimum_is_warned_about(tmp_path):
    """The review prints 12 pages; KDP takes a paperback of 24 pages or more, and the screen edition has no
    minimum."""
    kdp = run("build", "pdf", "--profile", "kdp", "-o", str(tmp_path / "kdp"))
    screen = run("build", "pdf", "--profile", "screen", "-o", str(tmp_path / "screen"))
    assert (kdp.returncode, screen.returncode) == (0, 0), kdp.stderr + screen.stderr
    assert "kdp: the PDF has 12 pages and this printer takes at least 24" in kdp.stderr
    assert "set pad_to: 24 under print: in book.yaml" in kdp.stderr
    assert "takes at least" not in screen.stderr


def test_pages_lists_each_trim_size_and_the_printers_that_take_it(tmp_path):
    result = run("pages", "-m", str(PROJECT / "manuscript"), "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()]
    assert rows[0] == ["trim", "pages", "chars/line", "kdp", "ingram", "lulu"]
    own = rows[1]
    assert own[:2] == ["5.5x8.5", "(this)"] and own[2] == "12" and 50 <= int(own[3]) <= 75
    assert own[4:] == ["no", "no", "no"]  # 12 pages: under every printer's minimum (kdp 24, ingram 18, lulu 32)
    estimated = {row[0]: row for row in rows[2:]}
    assert set(estimated) == {"5x8", "5.25x8", "6x9", "a5", "129x198mm"}
    assert all(row[1].startswith("~") for row in estimated.values())
    assert int(estimated["6x9"][2]) > int(estimated["5x8"][2])  # a wider line holds more characters
