"""`make bench`: our build times against pandoc's, for the review and every corpus book, written to RESULTS.md.

Each measurement: one warm-up, then 3 timed runs, the commands alternating; wall time (median, min, max) and
the peak RSS of the child process (`/usr/bin/time -v`). Speed is measured here, never asserted in a test."""

from __future__ import annotations

import os
import platform
import re
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


def timed(command: list[str], cwd: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (KB) of one run."""
    result = subprocess.run(["/usr/bin/time", "-f", "%e %M", *command], cwd=cwd, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(PROJECT), "SOURCE_DATE_EPOCH": "1700000000"})
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{result.stderr[-2000:]}")
    seconds, rss = result.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(rss)


def measure(commands: dict[str, list[str]], cwd: Path, before=None) -> dict[str, list[tuple[float, int]]]:
    """Warm up each command once, then run them alternately RUNS times."""
    results = {name: [] for name in commands}
    for run in range(RUNS + 1):
        for name, command in commands.items():
            if before:
                before(name)
            sample = timed(command, cwd)
            if run:
                results[name].append(sample)
    return results


def pandoc_epub(book: Path, out: Path) -> list[str]:
    config = yaml.safe_load((book / "book.yaml").read_text())
    chapters = [str(book / name) for name in config.get("chapters") or sorted(p.name for p in book.glob("*.md"))]
    meta = out / "meta.yaml"
    meta.write_text(yaml.safe_dump({"title": config["title"], "lang": config["language"],
                                    "author": [c["name"] for c in config.get("creators", [])]}))
    return [pypandoc.get_pandoc_path(), "--from", "markdown", "--metadata-file", str(meta), "--toc",
            "-o", str(out / "pandoc.epub"), *chapters]


def pandoc_pdf(book: Path, out: Path) -> list[str]:
    html = out / "pandoc.html"
    command = pandoc_epub(book, out)
    command[command.index("-o") + 1] = str(html)
    subprocess.run([*command[:1], "-s", *command[1:]], check=True)
    return [sys.executable, "-m", "weasyprint", "-s", str(PROJECT / "benchmarks" / "baseline.css"), str(html),
            str(out / "pandoc.pdf")]


def cell(samples: list[tuple[float, int]]) -> str:
    times = [s[0] for s in samples]
    return f"{statistics.median(times):.2f} s ({min(times):.2f}–{max(times):.2f}), {max(s[1] for s in samples) / 1024:.0f} MB"


def ratio(ours, theirs) -> str:
    return f"{statistics.median(s[0] for s in ours) / statistics.median(s[0] for s in theirs):.2f}"


def bench_book(book: Path) -> list[str]:
    name = book.name
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        copy = out / "book"
        shutil.copytree(book, copy)
        clear = lambda _name: shutil.rmtree(out / "build", ignore_errors=True)  # noqa: E731 (cold: fresh build/)
        epub = measure({"ours": [*PUBLISH, "build", "epub", "-q", "-m", str(copy), "-o", str(out / "build")],
                        "pandoc": pandoc_epub(copy, out)}, out, before=clear)
        rows.append(f"| {name} | EPUB | {cell(epub['ours'])} | {cell(epub['pandoc'])} | {ratio(epub['ours'], epub['pandoc'])} |")
        pdf = measure({"ours": [*PUBLISH, "build", "pdf", "-q", "-m", str(copy), "-o", str(out / "build")],
                       "peer": pandoc_pdf(copy, out)}, out, before=clear)
        rows.append(f"| {name} | PDF | {cell(pdf['ours'])} | {cell(pdf['peer'])} | {ratio(pdf['ours'], pdf['peer'])} |")
        make = ["make", "-s", "-C", str(PROJECT), "epub", "pdf", f"MANUSCRIPT={copy}", f"OUT={out / 'make'}"]
        timed(make, PROJECT)
        unchanged = measure({"make": make}, PROJECT)
        rows.append(f"| {name} | no-change `make pdf epub` | {cell(unchanged['make'])} | | |")
        chapter = sorted(copy.glob("*.md"))[-1]

        def edit(_name: str) -> None:
            text = chapter.read_text(encoding="utf-8")
            chapter.write_text(re.sub(r"\bthe\b", "teh" if "the " in text else "the", text, count=1), encoding="utf-8")

        edited = measure({"epub": [*PUBLISH, "build", "epub", "-q", "-m", str(copy), "-o", str(out / "build")],
                          "pdf": [*PUBLISH, "build", "pdf", "-q", "-m", str(copy), "-o", str(out / "build")]},
                         out, before=edit)
        rows.append(f"| {name} | one-word edit, EPUB | {cell(edited['epub'])} | | |")
        rows.append(f"| {name} | one-word edit, PDF | {cell(edited['pdf'])} | | |")
    return rows


def main() -> None:
    rows = []
    for book in BOOKS:
        print(f"benchmarking {book.name} ...", file=sys.stderr)
        rows.extend(bench_book(book))
        print("\n".join(rows[-5:]), file=sys.stderr)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"
    table = "\n".join(["| book | what | ours: median (min–max), peak RSS | peer | ratio ours/peer |",
                       "| --- | --- | --- | --- | --- |", *rows])
    text = (f"# Benchmark results\n\nMachine: {machine}. Pandoc {pypandoc.get_pandoc_version()} (pypandoc-binary); "
            f"peer PDF: pandoc -s HTML + WeasyPrint with benchmarks/baseline.css. {RUNS} runs after a warm-up, "
            "commands alternating; cold = fresh output folder.\n\n" + table + "\n")
    (PROJECT / "benchmarks" / "RESULTS.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
