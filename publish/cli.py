"""The command line: parses arguments, runs the pipeline, maps problems to exit codes."""

from __future__ import annotations

import argparse
import errno
import gc
import os
import signal
import sys
import tempfile
from pathlib import Path

from publish import __version__
from publish.build import (
    CACHE,
    BuildOptions,
    Sources,
    build,
    check,
    fresh_outputs,
    output_paths,
)
from publish.errors import PublishError, Report, display_path
from publish.formats import FORMATS
from publish.layout.profiles import PROFILES
from publish.manuscript.loading import load_book
from publish.model import primary_language
from publish.progress import Progress
from publish.proofing.lint import RULES, lint_book
from publish.proofing.pages import table, trim_plans
from publish.proofing.preview import serve
from publish.proofing.proof import make_proof, page_texts, pdf_page_changes, text_diff
from publish.proofing.prose import prose_lines
from publish.proofing.spelling import LANGUAGES as SPELLING_LANGUAGES
from publish.proofing.spelling import spelling_findings, unknown_words
from publish.release.dist import make_release
from publish.release.verify import check_pdf, run_ace, run_epubcheck

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(
        prog="publish", description="Build an EPUB 3 ebook and a print PDF from a Markdown manuscript.")
    main_parser.add_argument("--version", action="version", version=f"publish {__version__}")
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build_parser = commands.add_parser("build", help="build the EPUB, the PDF or both")
    build_parser.add_argument("format", nargs="?", default="all", choices=[*FORMATS.names(), "all"],
                              help="what to build (default: all)")
    build_parser.add_argument("-o", "--out", type=Path, default=Path("build"), metavar="OUT_DIR",
                              help="folder for the outputs (default: build/)")
    build_parser.add_argument("--profile", choices=sorted(PROFILES), metavar="PROFILE",
                              help="printer profile for the PDF: " + ", ".join(PROFILES) + " (default: book.yaml's "
                                   "print: profile, else kdp); another than the book's is written to SLUG-PROFILE.pdf")
    build_parser.add_argument("-j", "--jobs", type=_worker_count, metavar="N",
                              help="worker processes for long books (default: book.yaml's jobs, else every core; "
                                   "1 builds in this process alone)")
    build_parser.add_argument("--rebuild", action="store_true",
                              help="build even when nothing changed since the outputs were last built")
    build_parser.add_argument("--keep-going", action="store_true",
                              help="show missing or broken images as placeholders (with a warning) instead of failing")
    check_parser = commands.add_parser("check", help="validate the manuscript without building")
    lint_parser = commands.add_parser("lint", help="proofreading checks and spelling: file:line:col findings")
    lint_parser.add_argument("--no-spelling", action="store_true", help="skip the spelling check")
    lint_parser.add_argument("--rules", action="store_true", help="list the rules and stop")
    lint_parser.add_argument("--unknown-words", action="store_true",
                             help="print the words the spelling check does not know, one per line, for words.txt")
    pages_parser = commands.add_parser("pages", help="the print page count at each trim size, and which printers "
                                                     "take it")
    verify_parser = commands.add_parser("verify", help="run EPUBCheck and the PDF checks on built outputs")
    dist_parser = commands.add_parser("dist", help="make a release: every format, landing page, catalog, checksums")
    dist_parser.add_argument("-o", "--out", type=Path, default=Path("dist"), metavar="DIST_DIR",
                             help="folder for releases (default: dist/)")
    dist_parser.add_argument("--force", action="store_true", help="replace an existing release of this version")
    dist_parser.add_argument("--build-dir", type=Path, default=Path("build"), metavar="OUT_DIR",
                             help="the build folder whose kept layouts and chapters the release reuses, and adds "
                                  "to (default: build/)")
    proof_parser = commands.add_parser("proof", help="proof folder: report, stamped PDF, page images, changes")
    proof_parser.add_argument("-o", "--out", type=Path, default=Path("build/proof"), metavar="PROOF_DIR",
                              help="folder for the proof (default: build/proof/)")
    diff_parser = commands.add_parser("diff", help="the pages that differ between two PDFs, and their text changes")
    diff_parser.add_argument("old", type=Path, metavar="OLD.pdf")
    diff_parser.add_argument("new", type=Path, metavar="NEW.pdf")
    diff_parser.add_argument("-o", "--out", type=Path, default=None, metavar="DIR",
                             help="also write before/after images of the changed pages here")
    diff_parser.add_argument("-q", "--quiet", action="store_true", help="print the changes only")
    diff_parser.add_argument("-v", "--verbose", action="store_true", help="show tracebacks for errors")
    serve_parser = commands.add_parser("serve", help="live preview on localhost, rebuilt and reloaded on save")
    serve_parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000; 0: any free)")
    outputs_parser = commands.add_parser("outputs", help="print the paths a build writes")
    outputs_parser.add_argument("format", nargs="?", default="all", choices=[*FORMATS.names(), "all"])
    outputs_parser.add_argument("--profile", choices=sorted(PROFILES), metavar="PROFILE")
    for sub in (verify_parser, outputs_parser, pages_parser, serve_parser):
        sub.add_argument("-o", "--out", type=Path, default=Path("build"), metavar="OUT_DIR")
    for sub in (build_parser, check_parser, verify_parser, outputs_parser, dist_parser, lint_parser, proof_parser,
                serve_parser, pages_parser):
        sub.add_argument("-m", "--manuscript", type=Path, default=Path("manuscript"), metavar="MANUSCRIPT_DIR",
                         help="folder with book.yaml and the chapters (default: manuscript/)")
        sub.add_argument("-q", "--quiet", action="store_true", help="print errors only")
        sub.add_argument("-v", "--verbose", action="store_true", help="show tracebacks for errors")
    for sub in (build_parser, check_parser, dist_parser, lint_parser, proof_parser):  # those that report warnings
        sub.add_argument("--strict", action="store_true",
                         help="a warning fails the command (exit 1), and nothing is written")
    return main_parser


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def run() -> None:
    """The `publish` command: main(), then the process's exit."""
    status = main()
    gc.freeze()  # nothing is left to collect in a process that ends: collecting on the way out took 40 ms
    raise SystemExit(status)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # a killed build cleans up its partial files like Ctrl-C
    report = Report(echo=lambda problem: print(problem, file=sys.stderr))
    try:
        if args.command == "check":
            book = check(args.manuscript, report, args.strict)
            _say(args, f"{display_path(args.manuscript)}: {len(book.chapters)} chapters, "
                       f"{len(report.warnings)} warnings")
        elif args.command == "lint":
            return _lint(args)
        elif args.command == "pages":
            print(table(trim_plans(args.manuscript, args.out, report)))
        elif args.command == "proof":
            _say(args, f"wrote {display_path(make_proof(args.manuscript, args.out, report, args.strict))}")
        elif args.command == "diff":
            return _diff(args)
        elif args.command == "serve":
            serve(args.manuscript, args.port, report, say=lambda message: _say(args, message), out_dir=args.out)
        elif args.command == "outputs":
            for path in output_paths(args.manuscript, args.out, _format_names(args.format), args.profile):
                print(path)
        elif args.command == "verify":
            return _verify(args)
        elif args.command == "dist":
            folder = make_release(args.manuscript, args.out, report, force=args.force, strict=args.strict,
                                  cache=args.build_dir / CACHE)
            _say(args, f"wrote {display_path(folder)}/ ({len(list(folder.iterdir()))} files)")
        else:
            return _build(args, report)
    except PublishError as error:
        if args.verbose:
            raise
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted; earlier outputs were left as they were", file=sys.stderr)
        return 130
    except (MemoryError, RecursionError, OSError, SystemError) as error:
        if args.verbose:
            raise
        print(_resource_message(error), file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stdout = open(os.devnull, "w")
        return EXIT_OK
    return EXIT_OK


def _resource_message(error: BaseException) -> str:
    """One line for a build that ran out of something: memory, the stack, disk space or permission to write."""
    if isinstance(error, MemoryError):
        return ("ran out of memory; close other programs, build with -j 1, or split the longest chapters "
                "(earlier outputs were left as they were)")
    if isinstance(error, SystemError):  # what a C library's failed allocation surfaces as (cffi's ffi.new)
        return (f"a library failed ({error}), most often because memory ran out; close other programs or build "
                "with -j 1 (earlier outputs were left as they were; -v shows where)")
    if isinstance(error, RecursionError):
        return ("the book nests too deeply to lay out (block quotes, lists or HTML elements inside one another); "
                "nest them less deeply (earlier outputs were left as they were)")
    where = f"{display_path(Path(error.filename))}: " if getattr(error, "filename", None) else ""
    if error.errno == errno.ENOSPC:
        return (f"{where}the disk is full: free some space or choose another folder with -o; earlier outputs were "
                "left as they were")
    return f"{where}{error.strerror or error}; earlier outputs were left as they were"


def _build(args: argparse.Namespace, report: Report) -> int:
    formats = _format_names(args.format)
    options = BuildOptions(strict=args.strict, keep_going=args.keep_going, profile=args.profile, jobs=args.jobs,
                           stage=_progress(args).stage)
    sources = Sources.read(args.manuscript, args.out)
    fresh = None if args.rebuild else fresh_outputs(args.manuscript, args.out, formats, report, options, sources)
    for path in fresh or []:
        _say(args, f"up to date: {display_path(path)} (nothing changed since it was built; --rebuild builds anyway)")
    if fresh is None:
        for path in build(args.manuscript, args.out, formats, report, options, sources):
            _say(args, f"wrote {display_path(path)} ({path.stat().st_size / 1024:.0f} KiB)")
    return EXIT_OK


def _format_names(choice: str) -> list[str]:
    return FORMATS.names() if choice == "all" else [choice]


def _lint(args: argparse.Namespace) -> int:
    if args.rules:
        for name, rule in {**RULES}.items():
            print(f"{name:26} {rule.severity:8} {rule.description}")
        print(f"{'spelling':26} {'warning':8} a word not in the dictionary nor in words.txt")
        return EXIT_OK
    book = load_book(args.manuscript)
    language = primary_language(book.metadata.language)
    if language not in SPELLING_LANGUAGES and not args.no_spelling:
        print(f"note: spelling is not checked: no dictionary for '{book.metadata.language}' "
              f"(dictionaries: {', '.join(SPELLING_LANGUAGES)})", file=sys.stderr)
    if args.unknown_words:
        for word in unknown_words(book, [line for chapter in book.chapters for line in prose_lines(chapter)]):
            print(word)
        return EXIT_OK
    findings = lint_book(book, None if args.no_spelling else spelling_findings)
    for finding in findings:
        print(finding)
    errors = sum(1 for f in findings if f.severity == "error")
    _say(args, f"{errors} errors, {len(findings) - errors} warnings")
    return EXIT_FAILED if errors or (args.strict and findings) else EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    for path in (args.old, args.new):
        if not path.is_file():
            print(f"{display_path(path)}: no such PDF", file=sys.stderr)
            return EXIT_FAILED
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.out or Path(scratch)
        changes = pdf_page_changes(args.old, args.new, folder)
    old_texts, new_texts = page_texts(args.old), page_texts(args.new)
    for change in changes:
        print(f"page {change.label} (sheet {change.index + 1}) changed")
        old = old_texts[change.index] if change.index < len(old_texts) else ""
        new = new_texts[change.index] if change.index < len(new_texts) else ""
        for line in text_diff(old, new):
            print(f"  {line}")
    _say(args, f"{len(changes)} of {len(new_texts)} pages changed"
               + (f"; images in {display_path(args.out)}/" if args.out and changes else ""))
    return EXIT_OK


def _verify(args: argparse.Namespace) -> int:
    verdicts = []
    for path in output_paths(args.manuscript, args.out, ["epub", "pdf"]):
        if not path.exists():
            print(f"{display_path(path)}: not built yet; run 'publish build' first", file=sys.stderr)
            return EXIT_FAILED
        verdicts.extend([run_epubcheck(path), run_ace(path)] if path.suffix == ".epub" else [check_pdf(path)])
    for verdict in verdicts:
        print(verdict.summary())
        for line in verdict.errors + verdict.warnings:
            print(f"  {line}")
        if verdict.details.get("pages"):
            details = verdict.details
            print(f"  {details['pages']} pages, {details['width_pt']:.0f} x {details['height_pt']:.0f} pt, "
                  f"fonts embedded: {', '.join(details['fonts'])}")
    return EXIT_OK if all(v.ok for v in verdicts) else EXIT_FAILED


def _say(args: argparse.Namespace, message: str) -> None:
    if not args.quiet:
        print(message, file=sys.stderr)


def _progress(args: argparse.Namespace) -> Progress:
    return Progress(sys.stderr, terminal=sys.stderr.isatty(), quiet=args.quiet)


def _worker_count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number, 1 or more, not '{text}'")
    return int(text)
