"""A long technical book for `make bench`, generated (never committed): chapters of prose with code listings,
inline and display math, tables, figures and cross-references, written as authors write them for pandoc or
Quarto (`{#fig-x}`, `@fig-x`, `$x^2$`, fenced code). The prose is sentences of a public-domain corpus book; the
listings are Python of varied length. The same arguments always give the same book.

`python benchmarks/technical_book.py OUT_DIR [WORDS]` writes it (default 200,000 words)."""

from __future__ import annotations

import random
import re
import shutil
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PROSE = PROJECT.parent / "shared" / "corpus" / "middlemarch"
FIGURE = PROJECT / "tests" / "data" / "technical" / "images" / "bars.png"
CHAPTER_WORDS = 4000
SEED = 19


def sentences() -> list[str]:
    text = " ".join(path.read_text(encoding="utf-8") for path in sorted(PROSE.glob("*.md")))
    text = re.sub(r"\[\^[^\]]*\]|[#*_>\[\]{}|`$\\]", "", text)
    found = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if 40 < len(s.strip()) < 300]
    return found


def listing(rng: random.Random, number: int) -> str:
    name = f"step_{number}"
    lines = [f"def {name}(values: list[float], scale: float = {rng.randint(2, 9)}.0) -> list[float]:",
             f'    """Scale each value, then keep those over the threshold (listing {number})."""',
             "    result = []"]
    for line in range(rng.randint(3, 22)):
        lines.append(rng.choice([
            f"    threshold = sum(values) / max(len(values), 1) * {rng.random():.3f}",
            "    for index, value in enumerate(values):",
            f"        if value * scale > threshold and index % {rng.randint(2, 7)} != 0:",
            "            result.append(round(value * scale, 3))",
            f"    result.sort(key=lambda item: abs(item - {rng.randint(1, 99)}))",
            f"    assert all(isinstance(item, float) for item in result), 'step {number}, line {line}'",
            f"    # a comment that explains, at some length, why line {line} of this listing does what it does",
        ]))
    lines.append("    return result")
    return "```python\n" + "\n".join(lines) + "\n```"


def table(rng: random.Random, chapter: int, number: int) -> str:
    rows = ["| Input | Scale | Kept | Time (ms) |", "| --- | ---: | ---: | ---: |"]
    rows += [f"| run {row} | {rng.randint(2, 9)} | {rng.randint(0, 500)} | {rng.random() * 100:.1f} |"
             for row in range(1, rng.randint(4, 9))]
    return "\n".join(rows) + f"\n\n: Runs of chapter {chapter}, table {number} {{#tbl-c{chapter}-{number}}}"


def chapter_text(rng: random.Random, prose: list[str], chapter: int) -> str:
    blocks = [f"# Chapter {chapter}: Methods of Part {chapter} {{#sec-c{chapter}}}"]
    words, number = 0, 0
    while words < CHAPTER_WORDS:
        number += 1
        paragraph = " ".join(rng.choice(prose) for _ in range(rng.randint(3, 7)))
        kind = rng.random()
        if kind < 0.15:
            paragraph += f" The cost grows as $O(n^{rng.randint(2, 3)} \\log n)$ with $n = {rng.randint(10, 900)}$."
        blocks.append(paragraph)
        words += len(paragraph.split())
        if number % 9 == 0:
            blocks.append(f"## Section {chapter}.{number // 9} {{#sec-c{chapter}-{number // 9}}}")
        if kind < 0.35:
            blocks.append(f"Listing {number} reads the values once; see @sec-c{max(1, chapter - 1)}.")
            blocks.append(listing(rng, chapter * 100 + number))
        elif kind < 0.42:
            blocks.append(f"$$\n\\sum_{{i=1}}^{{n}} x_i^{rng.randint(2, 4)} = \\frac{{n(n+1)}}{{{rng.randint(2, 9)}}}\n"
                          f"$$ {{#eq-c{chapter}-{number}}}")
            blocks.append(f"By @eq-c{chapter}-{number}, the sum is bounded.")
        elif kind < 0.47:
            blocks.append(table(rng, chapter, number))
            blocks.append(f"@tbl-c{chapter}-{number} gives the runs.")
        elif kind < 0.50:
            blocks.append(f"![Bars for chapter {chapter}, figure {number}](bars.png){{#fig-c{chapter}-{number}}}")
            blocks.append(f"The bars of @fig-c{chapter}-{number} rise from left to right.")
    return "\n\n".join(blocks) + "\n"


def write_book(out: Path, words: int = 200_000) -> Path:
    rng, prose = random.Random(SEED), sentences()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copy(FIGURE, out / "bars.png")
    names = []
    for chapter in range(1, max(1, words // CHAPTER_WORDS) + 1):
        name = f"{chapter:03d}-chapter.md"
        (out / name).write_text(chapter_text(rng, prose, chapter), encoding="utf-8")
        names.append(name)
    (out / "book.yaml").write_text(
        "title: Methods in Practice\nsubtitle: A Generated Technical Book\nlanguage: en\n"
        "identifier: urn:uuid:4b7e2f0a-8c1d-4e5f-9a6b-3c2d1e0f9a8b\nrights: Public domain.\n"
        "chapters:\n" + "".join(f"  - {name}\n" for name in names), encoding="utf-8")
    return out


if __name__ == "__main__":
    print(write_book(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 200_000))
