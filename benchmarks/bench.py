"""`make bench`: our build times against pandoc's, for the review and every corpus book, written to RESULTS.md.

Each measurement: one warm-up, then 3 timed runs, the commands of a row alternating; wall time (median, min,
max) and the peak RSS of the largest process (`/usr/bin/time`: the child or any of its workers). Cold builds
start from an empty output folder. Speed is measured here, never asserted in a test.
`python benchmarks/bench.py [BOOK ...]` measures only the named books (manuscript, or a corpus folder name)."""

from __future__ import annotations

import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import pypandoc
import yaml

PROJECT = Path(__file__).resolve().parent.parent
BOOKS = [PROJECT / "manuscript"] + sorted((PROJECT.parent / "shared" / "corpus").glob("*/"))
RUNS = 3
PUBLISH = [sys.executable, "-m", "publish"]
ENV = {**os.environ, "PYTHONPATH": str(PROJECT), "SOURCE_DATE_EPOCH": "1700000000"}

Samples = list[tuple[float, int]]  # (wall seconds, peak RSS in KB) per timed run


def timed(command: list[str], cwd: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (KB) of one run."""
    result = subprocess.run(["/usr/bin/time", "-f", "%e %M", *command], cwd=cwd, capture_output=True, text=True,
                            env=ENV)
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{result.stderr[-2000:]}")
    seconds, rss = result.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(rss)


def measure(commands: dict[str, list[str]], cwd: Path, before=None) -> dict[str, Samples]:
    """Warm up each command once, then run them alternately RUNS times; `before(name)` runs before each."""
    results: dict[str, Samples] = {name: [] for name in commands}
    for run in range(RUNS + 1):
        for name, command in commands.items():
            if before:
                before(name)
            sample = timed(command, cwd)
            if run:
                results[name].append(sample)
    return results


def pandoc_epub(book: Path, out: Path, output: str = "pandoc.epub") -> list[str]:
    """pandoc's EPUB writer given the same metadata and chapters (title, language, authors, the chapter list)."""
    config = yaml.safe_load((book / "book.yaml").read_text())
    chapters = [str(book / name) for name in config.get("chapters") or sorted(p.name for p in book.glob("*.md"))]
    meta = out / "meta.yaml"
    meta.write_text(yaml.safe_dump({"title": config["title"], "lang": config["language"],
                                    "author": [c["name"] for c in config.get("creators", [])]}))
    return [pypandoc.get_pandoc_path(), "--from", "markdown", "--metadata-file", str(meta), "--toc",
            "-o", str(out / output), *chapters]


def pandoc_pdf(book: Path, out: Path) -> list[str]:
    """The peer PDF: pandoc's standalone HTML laid out by WeasyPrint with benchmarks/baseline.css."""
    html = out / "pandoc.html"
    command = pandoc_epub(book, out, html.name)
    subprocess.run([*command[:1], "-s", *command[1:]], check=True)
    return [sys.executable, "-m", "weasyprint", "-s", str(PROJECT / "benchmarks" / "baseline.css"), str(html),
            str(out / "pandoc.pdf")]


def typst_pdf(book: Path, out: Path) -> list[str]:
    """The Quarto-style peer for speed only (no EPUB, no PDF/X): pandoc's Typst output compiled by PyPI typst,
    both timed as one command."""
    command = pandoc_epub(book, out, "typst.typ")
    pandoc = [command[0], "-s", "-t", "typst", *command[1:]]
    compile_typst = [sys.executable, "-c", "import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2])",
                     str(out / "typst.typ"), str(out / "typst.pdf")]
    return ["sh", "-c", f"{shlex.join(pandoc)} && {shlex.join(compile_typst)}"]


def without_page_list(book: Path, copy: Path) -> Path:
    """A copy of the book whose EPUB has no print page list: the EPUB that pandoc's is like for like with."""
    shutil.copytree(book, copy)
    with (copy / "book.yaml").open("a", encoding="utf-8") as config:
        config.write("\nepub:\n  page_list: false\n")
    return copy


def cell(samples: Samples) -> str:
    times = [s[0] for s in samples]
    return (f"{statistics.median(times):.2f} s ({min(times):.2f}–{max(times):.2f}), "
            f"{max(s[1] for s in samples) / 1024:.0f} MB")


def ratio(ours: Samples, theirs: Samples) -> str:
    return f"{statistics.median(s[0] for s in ours) / statistics.median(s[0] for s in theirs):.2f}"


def row(name: str, what: str, ours: Samples, peer: Samples | None = None) -> str:
    return f"| {name} | {what} | {cell(ours)} | {cell(peer) if peer else ''} | {ratio(ours, peer) if peer else ''} |"


def one_word_edit(chapter: Path):
    """Before each run, change one word of the chapter (back and forth, so every run sees a new text)."""
    def edit(_name: str) -> None:
        text = chapter.read_text(encoding="utf-8")
        swapped = re.sub(r"\bteh\b", "the", text, count=1) if re.search(r"\bteh\b", text) else \
            re.sub(r"\bthe\b", "teh", text, count=1)
        chapter.write_text(swapped, encoding="utf-8")
    return edit


def bench_book(book: Path) -> list[str]:
    name = book.name
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        copy, plain = out / "book", without_page_list(book, out / "plain")
        shutil.copytree(book, copy)
        build = out / "build"

        def publish(fmt: str, manuscript: Path = copy) -> list[str]:
            return [*PUBLISH, "build", fmt, "-q", "-m", str(manuscript), "-o", str(build)]

        cold = lambda _name: shutil.rmtree(build, ignore_errors=True)  # noqa: E731
        epub = measure({"ours": publish("epub"), "plain": publish("epub", plain), "pandoc": pandoc_epub(copy, out)},
                       out, before=cold)
        rows.append(row(name, "EPUB, cold (with the print page list)", epub["ours"], epub["pandoc"]))
        rows.append(row(name, "EPUB, cold, `page_list: false`", epub["plain"], epub["pandoc"]))
        pdf = measure({"ours": publish("pdf"), "peer": pandoc_pdf(copy, out), "typst": typst_pdf(copy, out)}, out,
                      before=cold)
        rows.append(row(name, "PDF, cold (default profile)", pdf["ours"], pdf["peer"]))
        rows.append(row(name, "PDF, cold, against Typst (pandoc -t typst + typst)", pdf["ours"], pdf["typst"]))

        make = ["make", "-s", "-C", str(PROJECT), "pdf", "epub", f"MANUSCRIPT={copy}", f"OUT={out / 'make'}"]
        timed(make, PROJECT)
        again = [*PUBLISH, "build", "pdf", "-q", "-m", str(copy), "-o", str(out / "make")]
        unchanged = measure({"make": make, "publish": again}, PROJECT)
        rows.append(row(name, "no change: `make pdf epub`", unchanged["make"]))
        rows.append(row(name, "no change: `publish build pdf`", unchanged["publish"]))

        # The warm-up run of each row below leaves the build that the timed runs then change by one word.
        chapter = sorted(plain.glob("*.md"))[-1]
        edited = measure({"epub": publish("epub", plain)}, out, before=one_word_edit(chapter))
        rows.append(row(name, "one-word edit, EPUB (`page_list: false`)", edited["epub"]))
        edited = measure({"pdf": publish("pdf")}, out, before=one_word_edit(sorted(copy.glob("*.md"))[-1]))
        rows.append(row(name, "one-word edit, PDF", edited["pdf"]))
        edited = measure({"epub": publish("epub")}, out, before=one_word_edit(sorted(copy.glob("*.md"))[-1]))
        rows.append(row(name, "one-word edit, EPUB (with the print page list)", edited["epub"]))
        lint = measure({"lint": _exit_zero([*PUBLISH, "lint", "-q", "-m", str(copy)])}, out)
        rows.append(row(name, "`publish lint` (rules and spelling)", lint["lint"]))
    return rows


def _exit_zero(command: list[str]) -> list[str]:
    """The command run so that its findings (exit 1) do not stop the benchmark."""
    return ["sh", "-c", '"$@" > /dev/null; [ $? -le 1 ]', "sh", *command]


def _typst_version() -> str:
    from importlib.metadata import version

    return version("typst")


def commit() -> str:
    found = subprocess.run(["git", "-C", str(PROJECT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return found.stdout.strip() or "unknown"


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    memory = next((int(line.split()[1]) // 1024 ** 2 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    return (f"{platform.machine()}, {model}, {len(os.sched_getaffinity(0))} cores available, {memory} GB memory, "
            f"Python {platform.python_version()}, {platform.platform()}")


def main(names: list[str]) -> None:
    books = [book for book in BOOKS if not names or book.name in names]
    rows = []
    for book in books:
        print(f"benchmarking {book.name} ...", file=sys.stderr)
        found = bench_book(book)
        print("\n".join(found), file=sys.stderr)
        rows.extend(found)
    table = "\n".join(["| book | what | ours: median (min–max), peak RSS | peer | ratio ours/peer |",
                       "| --- | --- | --- | --- | --- |", *rows])
    text = (f"# Benchmark results\n\nCommit {commit()}. Machine: {machine()}.\n\n"
            f"Peers: pandoc {pypandoc.get_pandoc_version()} "
            "(pypandoc-binary) for the EPUB; pandoc -s HTML laid out by WeasyPrint with benchmarks/baseline.css "
            f"for the PDF; for speed only, pandoc -t typst compiled by typst {_typst_version()} (PyPI). "
            f"{RUNS} runs after a warm-up, the commands of a row alternating; cold = empty output "
            "folder; peak RSS = the largest process. Books: " + ", ".join(book.name for book in books) + ".\n\n"
            + table + "\n")
    if not names:
        (PROJECT / "benchmarks" / "RESULTS.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main(sys.argv[1:])
