"""Bad input gives one clear line, exit 1 and untouched earlier outputs; builds stay offline and inside the manuscript."""

from __future__ import annotations

import http.server
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from PIL import Image

from publish.build import BuildOptions, build
from publish.errors import PublishError, Report
from publish.theme.templates import compiled_templates_folder
from tests.conftest import assert_epubcheck_and_ace_pass
from tests.helpers import CORPUS, DATA, PROJECT

ENV = {**os.environ, "PYTHONPATH": str(PROJECT), "SOURCE_DATE_EPOCH": "1700000000"}


def publish(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The command line, given two minutes: no input may make it hang."""
    return subprocess.run([sys.executable, "-m", "publish", *args], capture_output=True, text=True, env=ENV, cwd=cwd,
                          timeout=120)


@pytest.fixture(scope="module")
def good_outputs(tmp_path_factory) -> dict[str, bytes]:
    """The minimal book's EPUB and PDF, built once, to be laid down before each broken build."""
    out = tmp_path_factory.mktemp("good")
    paths = build(DATA / "minimal", out, ["epub", "pdf"], Report())
    return {path.name: path.read_bytes() for path in paths}


def minimal_copy(tmp_path: Path) -> Path:
    """A writable copy of the minimal book, as tmp_path/manuscript."""
    book = tmp_path / "manuscript"
    shutil.copytree(DATA / "minimal", book)
    return book


def write(book: Path, name: str, content: str | bytes) -> None:
    path = book / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


def large_image(book: Path) -> None:
    Image.new("L", (8000, 7000)).save(book / "huge.png", optimize=False, compress_level=1)
    write(book, "two.md", "# Two\n\n![A huge picture](huge.png)\n")


MINIMAL_YAML = (DATA / "minimal" / "book.yaml").read_text()
LAUGHS = "".join([f"{name}: &{name} [{', '.join([value] * 10)}]\n" for name, value in
                  zip("abcdefghi", ["lol", *("*" + letter for letter in "abcdefgh")])]) + "language: en\n"
INVISIBLE = ("this line holds the invisible character U+{}, which a book cannot hold (a control character or a "
             "noncharacter, perhaps pasted in); delete it")


def _replace_with(path: Path, make) -> None:
    path.unlink()
    make(path)


BAD_INPUTS = {
    "broken yaml": (lambda b: write(b, "book.yaml", "title: A Small Book\nlanguage: [en\n"),
                    "manuscript/book.yaml:3: invalid YAML at column 1: expected ',' or ']', but got '<stream end>'; "
                    "check the indentation and quoting"),
    "misspelt key": (lambda b: write(b, "book.yaml", "title: A Small Book\nlanguag: en\n"),
                     "manuscript/book.yaml:2: unknown key 'languag' — did you mean 'language'?"),
    "wrong type": (lambda b: write(b, "book.yaml", "title: A Small Book\nlanguage: en\nsubjects: {a: 1}\n"),
                   "manuscript/book.yaml:3: 'subjects' must be a list of texts, not a mapping"),
    "missing chapter": (lambda b: (b / "two.md").unlink(),
                        "manuscript/book.yaml:6: chapter file 'two.md' not found in manuscript/; check the name"),
    "unreadable chapter": (lambda b: ((b / "two.md").unlink(), (b / "two.md").mkdir()),
                           "manuscript/book.yaml:6: chapter file 'two.md' not found in manuscript/; check the name"),
    "not utf-8": (lambda b: write(b, "two.md", "# Two\n\nna\u00efve\n".encode("cp1252")),
                  "manuscript/two.md:3: not UTF-8 text (byte 0xef at offset 9); save the file as UTF-8 in your editor"),
    "empty chapter": (lambda b: write(b, "two.md", "   \n"),
                      "manuscript/two.md:1: chapter is empty; write its text or remove it from 'chapters'"),
    "chapter without title": (lambda b: write(b, "two.md", "Only a paragraph.\n"),
                              "manuscript/two.md:1: chapter has no title: start it with a '# Title' line or set "
                              "'title:' in its front matter"),
    "duplicate chapter file": (lambda b: write(b, "book.yaml", "title: A\nlanguage: en\nchapters: [one.md, one.md]\n"),
                               "manuscript/book.yaml:3: chapter 'one.md' is listed twice (also at line 3); list it once"),
    "duplicate id": (lambda b: write(b, "two.md", "# Two {#same}\n\n## Again {#same}\n"),
                     "manuscript/two.md:1: id 'same' is used twice in this chapter; ids must be unique in the book"),
    "missing image": (lambda b: write(b, "two.md", "# Two\n\nSee:\n\n![A map](images/map.png)\n"),
                      "manuscript/two.md:5: image 'images/map.png' not found; check the file name (relative to "
                      "manuscript/)"),
    "corrupt image": (lambda b: (write(b, "map.png", b"\x89PNG\r\n\x1a\nnot really"),
                                 write(b, "two.md", "# Two\n\n![A map](map.png)\n")),
                      "manuscript/two.md:3: image 'map.png' is damaged or not an image; export it again"),
    "image far too large": (large_image,
                            "manuscript/two.md:3: image 'huge.png' is 8000 x 7000 pixels, far too large; scale it to "
                            "under 50 megapixels"),
    "remote image": (lambda b: write(b, "two.md", "# Two\n\n![A map](https://example.org/map.png)\n"),
                     "manuscript/two.md:3: image 'https://example.org/map.png' is not a local file; builds never "
                     "fetch from the network, so save it in the manuscript folder and use its relative path"),
    "image outside": (lambda b: write(b, "two.md", "# Two\n\n![Secret](../secret.png)\n"),
                      "manuscript/two.md:3: image '../secret.png' is outside the manuscript folder; copy it inside "
                      "and use a relative path"),
    "chapter outside": (lambda b: write(b, "book.yaml", "title: A\nlanguage: en\nchapters:\n  - /etc/hostname\n"),
                        "manuscript/book.yaml:4: chapter '/etc/hostname' is outside the manuscript folder; copy it "
                        "into manuscript/"),
    # What a build may read: ordinary files inside the folder, within limits, checked before they are opened.
    "chapter linked to a device": (lambda b: _replace_with(b / "two.md", lambda path: path.symlink_to("/dev/zero")),
                                   "manuscript/book.yaml:6: chapter 'two.md' is outside the manuscript folder; copy "
                                   "it into manuscript/"),
    "chapter is a pipe": (lambda b: _replace_with(b / "two.md", os.mkfifo),
                          "manuscript/book.yaml:6: chapter 'two.md' is a named pipe, not a file; a build reads only "
                          "ordinary files"),
    "chapter of 6 GB": (lambda b: os.truncate(b / "two.md", 6 * 2**30),
                        "manuscript/two.md: the file is over 5 MB; split it into several chapters, or raise "
                        "limits.chapter_mb in book.yaml"),
    "book.yaml of 2 MB": (lambda b: write(b, "book.yaml", "title: A\nlanguage: en\ndescription: " + "x" * 2**21),
                          "manuscript/book.yaml: the file is over 1 MB; book.yaml holds settings, not text"),
    "billion laughs": (lambda b: write(b, "book.yaml", LAUGHS),
                       "manuscript/book.yaml:1: the aliases (*name) here expand to over 100,000 values; write the "
                       "values out instead of repeating them through aliases"),
    "alias to itself": (lambda b: write(b, "book.yaml", "title: A\nlanguage: en\nsubjects: &s [a, *s]\n"),
                        "manuscript/book.yaml:3: the aliases (*name) here expand to over 100,000 values; write the "
                        "values out instead of repeating them through aliases"),
    "laughs in front matter": (lambda b: write(b, "two.md", "---\n" + LAUGHS.replace("language: en\n", "") +
                                               "---\n# Two\n"),
                               "manuscript/two.md:2: front matter: the aliases (*name) here expand to over 100,000 "
                               "values; write the values out instead of repeating them through aliases"),
    "YAML nested 100,000 deep": (lambda b: write(b, "book.yaml", "title: A\nlanguage: en\nsubjects: " + "[" * 100_000
                                                 + "]" * 100_000 + "\n"),
                                 "manuscript/book.yaml: the YAML nests too deeply to be read; flatten it"),
    # Text that XML cannot hold, typed or escaped in book.yaml.
    "control character in book.yaml": (lambda b: write(b, "book.yaml", "title: A\nlanguage: en\nrights: A\x01B\n"),
                                       "manuscript/book.yaml:3: " + INVISIBLE.format("0001")),
    "escaped control character": (lambda b: write(b, "book.yaml", 'title: "A\\x0cB"\nlanguage: en\n'),
                                  "manuscript/book.yaml:1: " + INVISIBLE.format("000C")),
    "lone surrogate": (lambda b: write(b, "book.yaml", 'title: A\nlanguage: en\nauthor: "A\\ud800"\n'),
                       "manuscript/book.yaml:3: " + INVISIBLE.format("D800")),
    "noncharacter": (lambda b: write(b, "book.yaml", 'title: A\nlanguage: en\ndescription: "\\ufffe"\n'),
                     "manuscript/book.yaml:3: " + INVISIBLE.format("FFFE")),
    # Limits, each checked on the Markdown as written before it is parsed.
    "line of 1 MB": (lambda b: write(b, "two.md", "# Two\n\n" + "x" * 1_000_000 + "\n"),
                     "manuscript/two.md:3: this line is 1,000,000 characters long, over the limit of 100,000: "
                     "break it into paragraphs, or raise limits.line_characters in book.yaml"),
    "quotes 100 deep": (lambda b: write(b, "two.md", "# Two\n\nText.\n\n" + "> " * 100 + "deep\n"),
                        "manuscript/two.md:5: block quotes and lists nest over 50 deep here: nest them less "
                        "deeply, or raise limits.nesting in book.yaml"),
    "lists 1,000 deep": (lambda b: write(b, "two.md", "# Two\n\n" + "".join("  " * i + "- item\n"
                                                                            for i in range(1000))),
                         "manuscript/two.md:103: block quotes and lists nest over 50 deep here: nest them less "
                         "deeply, or raise limits.nesting in book.yaml"),
    "HTML 200,000 deep": (lambda b: write(b, "two.md", "# Two\n\n" + "<div>\n" * 200_000 + "deep\n"),
                          "manuscript/two.md:53: HTML elements nest over 50 deep here: nest them less deeply (or "
                          "close the ones left open), or raise limits.nesting in book.yaml"),
    "too many footnotes": (lambda b: (write(b, "book.yaml", MINIMAL_YAML + "limits:\n  footnotes: 100\n"),
                                      write(b, "two.md", "# Two\n\nText.[^1]\n\n" +
                                            "".join(f"[^{i}]: Note.\n" for i in range(1, 102)))),
                           "manuscript/two.md:105: this chapter has over 100 footnotes: split it into several "
                           "chapters, or raise limits.footnotes in book.yaml"),
    "too many words": (lambda b: (write(b, "book.yaml", MINIMAL_YAML + "limits:\n  words: 1000\n"),
                                  write(b, "two.md", "# Two\n\n" + "word " * 1000 + "\n")),
                       "manuscript/book.yaml: the book has 1,023 words, over the limit of 1,000: split it into "
                       "volumes, or raise limits.words in book.yaml"),
    "limit out of range": (lambda b: write(b, "book.yaml", MINIMAL_YAML + "limits:\n  nesting: 500\n"),
                           "manuscript/book.yaml:8: nesting must be a whole number from 5 to 80, not 500"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_one_clear_line_exit_1_and_earlier_outputs_untouched(case, tmp_path, good_outputs):
    book = minimal_copy(tmp_path)
    out = tmp_path / "build"
    out.mkdir()
    for name, data in good_outputs.items():
        (out / name).write_bytes(data)
    breaks, expected = BAD_INPUTS[case]
    breaks(book)
    result = publish("build", "-q", "-m", "manuscript", "-o", "build", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [expected]
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == good_outputs


def test_verbose_shows_a_traceback_for_a_user_mistake(tmp_path):
    book = minimal_copy(tmp_path)
    write(book, "two.md", "")
    result = publish("build", "epub", "-v", "-m", "manuscript", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" in result.stderr and "ManuscriptError" in result.stderr


def test_keep_going_turns_a_missing_image_into_a_placeholder(tmp_path):
    book = minimal_copy(tmp_path)
    write(book, "two.md", "# Two\n\n![A map](map.png)\n")
    result = publish("build", "epub", "--keep-going", "-m", "manuscript", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert ("manuscript/two.md:3: warning: image 'map.png' not found; check the file name (relative to manuscript/) "
            "(shown as a placeholder because of --keep-going)") in result.stderr.splitlines()
    chapter = zipfile.ZipFile(tmp_path / "out" / "a-small-book.epub").read("EPUB/ch-two.xhtml").decode()
    assert '<span class="missing-image">[missing image: map.png]</span>' in chapter


class RecordingHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:
        RecordingHandler.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def loopback_server():
    RecordingHandler.requests = []
    server = http.server.HTTPServer(("127.0.0.1", 0), RecordingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", RecordingHandler.requests
    server.shutdown()


class Audit:
    """Records every file a build opens and every connection it tries (Python audit hooks cannot be removed,
    so one hook is installed and switched on only while a test's build runs)."""

    active: list | None = None
    installed = False

    @classmethod
    def recording(cls) -> list:
        if not cls.installed:
            sys.addaudithook(cls._hook)
            cls.installed = True
        cls.active = []
        return cls.active

    @classmethod
    def _hook(cls, event: str, args: tuple) -> None:
        if cls.active is None:
            return
        if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
            cls.active.append(("open", os.fsdecode(args[0])))
        elif event in ("socket.connect", "socket.getaddrinfo", "urllib.Request"):
            cls.active.append((event, str(args[:2])))


def _outside(events: list, allowed: list[Path]) -> list:
    """Events that reach the network or a file outside `allowed` (file: URLs count as file opens)."""
    roots = [os.path.realpath(p) for p in allowed]

    def allowed_path(path: str) -> bool:
        return any(os.path.realpath(path).startswith(root) for root in roots)

    outside = []
    for kind, target in events:
        if kind == "open" and allowed_path(target):
            continue
        url = re.match(r"\('file://([^']*)'", target)
        if kind == "urllib.Request" and url and allowed_path(unquote(url.group(1))):
            continue
        outside.append((kind, target))
    return outside


def test_a_build_reaches_no_network_and_reads_nothing_outside(tmp_path, loopback_server):
    url, requests = loopback_server
    secret = tmp_path / "secret.txt"
    secret.write_text("private")
    book = minimal_copy(tmp_path)
    write(book, "two.md", f'# Two\n\n<link rel="stylesheet" href="{url}/evil.css">\n\n'
                          f'<iframe src="{url}/frame"></iframe>\n\n<img src="{url}/pixel.png" '
                          f'style="background: url({url}/bg.png)"> and <object data="file://{secret}"></object>\n\n'
                          f'A [link]({url}/page) stays a link.\n')
    events = Audit.recording()
    try:
        report = Report()
        paths = build(book, tmp_path / "out", ["epub", "pdf"], report, BuildOptions(keep_going=True))
    finally:
        Audit.active = None
    assert requests == []
    # WeasyPrint keeps the fonts it loads in a temporary folder of its own; the tool keeps compiled templates in
    # the user's cache folder.
    allowed = [book, tmp_path / "out", PROJECT, Path(sys.prefix), Path(sys.base_prefix), Path("/dev/urandom"),
               Path(tempfile.gettempdir()) / "weasyprint-", compiled_templates_folder()]
    assert _outside(events, allowed) == []
    assert not any(str(secret) in e[1] for e in events)
    assert all(path.stat().st_size > 0 for path in paths)
    assert any("<link>" in str(w) for w in report.warnings) and any("<iframe>" in str(w) for w in report.warnings)


def test_stylesheet_reaching_out_is_refused_without_fetching(tmp_path, loopback_server):
    url, requests = loopback_server
    outside = tmp_path / "outside.png"
    Image.new("RGB", (4, 4)).save(outside)
    book = minimal_copy(tmp_path)
    print_css = (PROJECT / "styles" / "print.css").read_text()
    write(book, "styles/print.css", f"@import url({url}/evil.css);\n{print_css}\nbody {{ background: url(../../outside.png) }}\n")
    events = Audit.recording()
    try:
        with pytest.raises(PublishError) as error:
            build(book, tmp_path / "out", ["pdf"], Report())
    finally:
        Audit.active = None
    css = book / "styles" / "print.css"
    last = print_css.count("\n") + 3
    assert [str(p) for p in error.value.problems] == [
        f"{css}:1: stylesheet loads '{url}/evil.css' from the network; builds never do: save the file next to the "
        "stylesheet and use a relative path",
        f"{css}:{last}: stylesheet loads '../../outside.png', outside the manuscript and style folders; copy it inside",
    ]
    assert requests == []
    assert not any(str(outside) in e[1] for e in events)
    assert not (tmp_path / "out").exists()


def test_a_url_hidden_by_a_css_escape_is_refused_too(tmp_path):
    book = minimal_copy(tmp_path)
    epub_css = (PROJECT / "publish" / "theme" / "styles" / "epub.css").read_text()
    write(book, "styles/epub.css", epub_css + 'body { background: u\\72l("https://example.org/a.png") }\n')
    with pytest.raises(PublishError) as error:
        build(book, tmp_path / "out", ["epub"], Report())
    assert "stylesheet loads 'https://example.org/a.png' from the network" in str(error.value)


def test_template_symlinked_out_of_the_manuscript_is_refused(tmp_path):
    book = minimal_copy(tmp_path)
    (book / "templates").mkdir()
    (book / "templates" / "epub-titlepage.xhtml").symlink_to("/etc/hostname")
    with pytest.raises(PublishError) as error:
        build(book, tmp_path / "out", ["epub"], Report())
    assert str(error.value) == (f"{book}/templates/epub-titlepage.xhtml: template 'epub-titlepage.xhtml' links to a "
                                "file outside its folder; copy it in")


def test_two_builds_at_once_into_one_folder_do_not_corrupt_each_other(tmp_path, good_outputs):
    out = tmp_path / "out"
    runs = [subprocess.Popen([sys.executable, "-m", "publish", "build", "-q", "-m", str(DATA / "minimal"), "-o",
                              str(out)], env=ENV, cwd=tmp_path, stderr=subprocess.PIPE) for _ in range(2)]
    assert [run.wait(timeout=120) for run in runs] == [0, 0]
    built = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert sorted(built) == sorted([*good_outputs, "a-small-book.html", "a-small-book-cover.pdf"])  # no partials
    assert {name: built[name] for name in good_outputs} == good_outputs  # builds are reproducible


def _processes_writing_to(out: Path, seconds: float) -> list[int]:
    """The processes still running with `out` on their command line after waiting up to `seconds` for them."""
    deadline = time.monotonic() + seconds
    while True:
        found = []
        for status in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                if str(out).encode() in status.read_bytes():
                    found.append(int(status.parent.name))
            except OSError:  # it ended while we looked
                pass
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL, signal.SIGINT])
def test_an_interrupted_build_leaves_earlier_outputs_untouched(sig, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    earlier = {"pride-and-prejudice.epub": b"earlier epub", "pride-and-prejudice.pdf": b"earlier pdf"}
    for name, data in earlier.items():
        (out / name).write_bytes(data)
    run = subprocess.Popen([sys.executable, "-m", "publish", "build", "pdf", "-m", str(CORPUS / "pride-and-prejudice"),
                            "-o", str(out)], env=ENV, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    time.sleep(4)  # well into laying out the pages
    run.send_signal(sig)
    assert run.wait(timeout=60) != 0
    assert _processes_writing_to(out, seconds=5) == []  # its layout workers, if any, stopped with it
    outputs = [p for p in out.iterdir() if p.name != ".cache"]  # parts laid out before the signal are kept
    assert {p.name: p.read_bytes() for p in outputs if not p.name.endswith(".part")} == earlier
    if sig != signal.SIGKILL:  # a killed process cannot tidy up; its hidden .part file is harmless
        assert sorted(p.name for p in outputs) == sorted(earlier)
        assert "interrupted; earlier outputs were left as they were" in run.stderr.read()


HOSTILE_TEMPLATE = """{% extends "epub-page.xhtml" %}
{% block title %}T{% endblock %}
{% block body %}
<p>{{ book.metadata.title }}</p>
<p>{{ EXPRESSION }}</p>
{% endblock %}
"""


@pytest.mark.parametrize("expression, message", [
    ("cycler.__init__.__globals__.os.system('touch ESCAPED')",
     "template refused: access to attribute '__init__' of 'type' object is unsafe; a template may use the book's "
     "data, not Python's internals"),
    ("book.metadata.__class__.__mro__[1].__subclasses__()",
     "template refused: access to attribute '__class__' of 'Metadata' object is unsafe; a template may use the "
     "book's data, not Python's internals"),
    ("'{0.__class__}'.format(book)", "template refused: access to attribute '__class__' of 'RenderedBook' object is "
                                     "unsafe; a template may use the book's data, not Python's internals"),
    ("'x' * 10 ** 10", "template refused: '*' would make a value of over 1,000,000 characters or items; a template "
                       "may use the book's data, not Python's internals"),
    ("9 ** 9999999", "template refused: '**' would make a number of over 1,000,000 digits; a template may use the "
                      "book's data, not Python's internals"),
    ("1 / 0", "template error: division by zero"),
    ("book.nothing", "template error: 'publish.model.RenderedBook object' has no attribute 'nothing'"),
])
def test_a_manuscript_template_cannot_reach_python_and_its_faults_name_their_line(tmp_path, expression, message):
    """A manuscript's own template runs sandboxed: an escape is refused, a mistake named at its line, the build
    exits 1 without a traceback and the outputs of the last good build stay."""
    book = minimal_copy(tmp_path)
    out = tmp_path / "out"
    epub = build(book, out, ["epub"], Report())[0]
    before = epub.read_bytes()
    (book / "templates").mkdir()
    template = book / "templates" / "epub-titlepage.xhtml"
    template.write_text(HOSTILE_TEMPLATE.replace("EXPRESSION", expression.replace("ESCAPED", str(tmp_path / "x"))))
    run = subprocess.run([sys.executable, "-m", "publish", "build", "epub", "-q", "-m", str(book), "-o", str(out)],
                         env=ENV, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert (run.returncode, run.stderr) == (1, f"manuscript/templates/{template.name}:5: {message}\n")
    assert not (tmp_path / "x").exists() and epub.read_bytes() == before


def test_pipes_devices_links_out_and_huge_stray_files_are_never_opened(tmp_path):
    """None of these is a chapter: the build neither hangs on the pipe nor reads the 6 GB file (the freshness hash
    knows such files by their size and time) nor opens what the links point to."""
    book = minimal_copy(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("not the book's")
    strays = {"notes.fifo": lambda path: os.mkfifo(path), "secret.txt": lambda path: path.symlink_to(secret),
              "zero": lambda path: path.symlink_to("/dev/zero"), "disk.img": lambda path: os.truncate(path, 6 * 2**30)}
    for name, make in strays.items():
        (book / name).touch() if name == "disk.img" else None
        make(book / name)
    result = publish("build", "epub", "-q", "-m", "manuscript", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    events = Audit.recording()
    try:
        build(book, tmp_path / "again", ["epub"], Report())
    finally:
        Audit.active = None
    opened = {os.path.realpath(target) for kind, target in events if kind == "open"}
    assert any(path.endswith("one.md") for path in opened)
    assert opened & {str(book / "notes.fifo"), str(secret), "/dev/zero", str(book / "disk.img")} == set()


def test_control_characters_in_a_chapter_are_removed_with_a_warning_at_their_line(tmp_path):
    book = minimal_copy(tmp_path)
    write(book, "two.md", "# Two\n\nPlain.\n\nA bell \x07, a form feed \x0c and a noncharacter \ufffe.\n")
    result = publish("build", "epub", "-m", "manuscript", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warnings == ["manuscript/two.md:5: warning: removed invisible control character U+0007 (and any others in "
                        "the chapter); they are not allowed in EPUB"]  # no "no glyph" warning for U+FFFE either
    chapter = zipfile.ZipFile(tmp_path / "out" / "a-small-book.epub").read("EPUB/ch-two.xhtml").decode()
    assert "A bell , a form feed  and a noncharacter ." in chapter


def test_a_footnote_line_ending_in_a_space_prints(tmp_path):
    """Hand-wrapped notes often end a line in a space; WeasyPrint's footnote area failed on that."""
    book = minimal_copy(tmp_path)
    write(book, "two.md", "# Two\n\nText.[^1]\n\n[^1]: A note whose line ends in a space \n    and goes on.\n")
    result = publish("build", "pdf", "-m", "manuscript", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = subprocess.run(["pdftotext", tmp_path / "out" / "a-small-book.pdf", "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "A note whose line ends in a space\nand goes on." in text


def test_a_raised_limit_lets_a_deeper_book_build(tmp_path):
    book = minimal_copy(tmp_path)
    write(book, "two.md", "# Two\n\n" + "".join("    " * level + "- item\n" for level in range(60)))
    refused = publish("build", "epub", "-q", "-m", "manuscript", "-o", "out", cwd=tmp_path)
    assert refused.returncode == 1 and "nest over 50 deep" in refused.stderr
    write(book, "book.yaml", MINIMAL_YAML + "limits:\n  nesting: 70\n")
    result = publish("build", "-q", "-m", "manuscript", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "a-small-book.pdf").exists() and (tmp_path / "out" / "a-small-book.epub").exists()


@pytest.mark.slow
def test_markdown_that_converts_too_slowly_is_stopped_at_the_time_limit(tmp_path):
    """50,000 '[' in a paragraph take Python-Markdown's link patterns many minutes; the chapter's time runs out."""
    book = minimal_copy(tmp_path)
    write(book, "book.yaml", MINIMAL_YAML + "limits:\n  chapter_seconds: 10\n")
    write(book, "two.md", "# Two\n\n" + "[" * 50_000 + "\n")
    started = time.monotonic()
    result = publish("build", "epub", "-q", "-m", "manuscript", "-o", "out", cwd=tmp_path)
    assert time.monotonic() - started < 60
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "manuscript/two.md: converting this chapter's Markdown took over 10 s: look for a long run of '[', '<' or "
        "other marks Markdown tries to pair, or split the chapter, or raise limits.chapter_seconds in book.yaml"]


@pytest.fixture
def small_mount(tmp_path):
    """A file system of 64 KiB (too small for any of the minimal book's outputs), and one that is read-only (tmpfs
    mounts; skipped where mounting is not allowed)."""
    mounts = {"full": tmp_path / "full", "read-only": tmp_path / "read-only"}
    for name, options in (("full", "size=64k"), ("read-only", "size=64k,ro")):
        mounts[name].mkdir()
        if subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", mounts[name]],
                          capture_output=True).returncode != 0:
            pytest.skip("this machine does not allow mounting a small file system")
    yield mounts
    for path in mounts.values():
        subprocess.run(["umount", path], capture_output=True)


def test_an_output_folder_that_cannot_be_written_is_one_line(tmp_path, small_mount):
    minimal_copy(tmp_path)
    (tmp_path / "a-file").write_text("")
    cases = {
        "a-file": "a-file: this is a file, not a folder: choose a folder for the outputs with -o",
        "a-file/out": "a-file/out: cannot write here (Not a directory): choose another folder with -o; earlier "
                      "outputs were left as they were",
        "read-only": "read-only: cannot write here (Read-only file system): choose another folder with -o; earlier "
                     "outputs were left as they were",
        "full": "the disk is full: free some space or choose another folder with -o; earlier outputs were left as "
                "they were",
    }
    for out, message in cases.items():
        for command in ("build", "proof", "dist"):
            result = publish(command, "-q", "-m", "manuscript", "-o", out, cwd=tmp_path)
            assert result.returncode == 1, (out, command, result.stderr)
            lines = [line for line in result.stderr.splitlines() if "warning:" not in line]
            if out == "full":  # whichever file the disk filled up on
                assert len(lines) == 1 and "the disk is full" in lines[0] and lines[0].endswith(
                    "free some space or choose another folder with -o; earlier outputs were left as they were")
            else:
                assert lines == [message], (out, command)


VALID_BUT_AWKWARD = {
    "book.yaml": "title: Valid Markdown\nlanguage: en\nchapters: [one.md, two.md]\n",
    "one.md": "# One\n\n## Exercises\n\nText with <span id=\"dup\">raw</span> and <span id=\"dup\">again</span>; see "
              "[above](#dup).\n\nNoted.[^1]\n\n[^1]: See [the second](#exercises-1) and [two](two.md#later).\n\n"
              "## Exercises\n\nLinks: [spaced](<https://example.org/a b>) and [angled](https://example.org/?q=<x>).\n",
    "two.md": "# Two\n\n<div id=\"dup\">In two.</div>\n\n## Later\n\n[back](#dup)\n",
}


def test_valid_markdown_that_repeats_ids_and_titles_builds_a_clean_epub(tmp_path):
    """What Python-Markdown's own test documents do: raw HTML giving an id twice (in a chapter and across two),
    a note linking to a heading by its GitHub slug and to another chapter, two sections of one title, URLs
    holding a space or <>. Each builds, with a warning where the manuscript needs a fix, into an EPUB that
    EPUBCheck and Ace pass."""
    book = tmp_path / "manuscript"
    for name, text in VALID_BUT_AWKWARD.items():
        write(book, name, text)
    report = Report()
    epub = build(book, tmp_path / "out", ["epub"], report)[0]
    assert [str(w) for w in report.warnings] == [
        f"{book}/one.md:5: warning: id 'dup' is used twice in this chapter: this one is renamed 'dup-2' and links go "
        "to the first; give each element an id of its own",
        f"{book}/two.md:3: warning: id 'dup' is also used in one.md: renamed 'dup-3' here, and this chapter's links "
        "follow it; give each element an id of its own"]
    with zipfile.ZipFile(epub) as archive:
        one, two = (archive.read(f"EPUB/ch-{name}.xhtml").decode() for name in ("one", "two"))
    assert '<span id="dup">raw</span>' in one and '<span id="dup-2">again</span>' in one
    assert '<a href="ch-one.xhtml#dup">above</a>' in one
    assert '<div id="dup-3">In two.</div>' in two and '<a href="ch-two.xhtml#dup-3">back</a>' in two
    assert '<a href="ch-one.xhtml#ch-one-exercises-2">the second</a>' in one
    assert '<a href="ch-two.xhtml#ch-two-later">two</a>' in one
    assert 'href="https://example.org/a%20b"' in one and 'href="https://example.org/?q=%3Cx%3E"' in one
    assert one.count("<section aria-labelledby") == 0 and one.count("<section>") == 2
    assert_epubcheck_and_ace_pass(epub)


def test_every_case_that_once_failed_builds_clean(tmp_path):
    """tests/data/regressions holds one chapter per input that once broke a build (a traceback, an invalid EPUB);
    a new one goes there when it is found. Together they build every format, the EPUB clean in EPUBCheck and
    Ace, each chapter in the PDF, with a warning only where the manuscript needs a fix."""
    manuscript = DATA / "regressions"
    chapters = sorted(path for path in manuscript.glob("*.md"))
    assert len(chapters) >= 7
    report = Report()
    epub, pdf, *_ = build(manuscript, tmp_path, ["epub", "pdf", "html"], report)
    warned = sorted({Path(w.path).name for w in report.warnings if w.path is not None})
    assert warned == ["02-raw-html-ids-twice.md", "03-same-id-in-another-chapter.md", "06-control-characters.md",
                      "07-empty-unreferenced-note.md"]
    text = " ".join(subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, check=True).stdout.split())
    titles = [path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# ") for path in chapters]
    assert all(title in text for title in titles), [title for title in titles if title not in text]
    assert_epubcheck_and_ace_pass(epub)
