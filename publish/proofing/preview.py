"""Live preview: the web edition served on localhost, rebuilt when a manuscript, template or style file is saved;
the open page polls for a new build and reloads itself. A build that fails keeps the last good page, with the
problems shown above it. /print shows the web edition beside the print pages of the chapter saved last
(print_preview.py lays them out)."""

from __future__ import annotations

import html
import json
import re
import threading
import time
from http import HTTPStatus
from pathlib import Path
from typing import Callable

from publish.build import BuildOptions, Pipeline
from publish.errors import PublishError, Report
from publish.manuscript.loading import load_book
from publish.proofing.print_preview import PrintSide
from publish.theme import templates

POLL_SECONDS = 0.1  # how often the files are looked at: a tenth of a second is felt after a save
RELOAD_SCRIPT = """<script>
(function () {
  var seen = null;
  setInterval(function () {
    fetch("/__build", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (b) {
      if (seen === null) { seen = b.build; } else if (b.build !== seen) { location.reload(); }
    }).catch(function () {});
  }, 500);
})();
</script>"""


class Preview:
    """The latest page and its build number; rebuilt from the manuscript on demand."""

    def __init__(self, manuscript: Path, say: Callable[[str], None], print_side: PrintSide | None = None) -> None:
        self.manuscript = manuscript
        self.say = say
        self.print_side = print_side
        self.build = 0
        self.page = b""
        self.problems: list[str] = []
        self.lock = threading.Lock()

    def rebuild(self, saved: list[Path]) -> None:
        """Build the web edition again (the print side starts first: it lays out in a process of its own)."""
        if self.print_side is not None:
            self.print_side.saved(saved)
        started = time.perf_counter()
        try:
            # No forking beside the server's thread: one job.
            page = Pipeline(load_book(self.manuscript), Report(), BuildOptions(jobs=1)).make("html").decode("utf-8")
            problems = []
        except PublishError as error:
            page, problems = None, [str(problem) for problem in error.problems]
        with self.lock:
            if page is not None:
                self.page = page.replace("</body>", RELOAD_SCRIPT + "</body>").encode("utf-8")
            self.problems = problems
            self.build += 1
        if problems:
            self.say("build failed; the preview shows the problems:\n  " + "\n  ".join(problems))
        else:
            self.say(f"rebuilt in {time.perf_counter() - started:.2f} s")

    def current(self) -> bytes:
        with self.lock:
            if not self.problems:
                return self.page or b"<!DOCTYPE html><title>Preview</title><p>Building...</p>" + RELOAD_SCRIPT.encode()
            banner = "".join(f"<li>{html.escape(p)}</li>" for p in self.problems)
            notice = (f'<div role="alert" style="background:#fde8e8;border:2px solid #a40000;padding:1em;'
                      f'font:15px sans-serif"><strong>The last save did not build:</strong><ul>{banner}</ul></div>')
            page = self.page.decode("utf-8") if self.page else "<!DOCTYPE html><body></body>" + RELOAD_SCRIPT
            return page.replace("<body>", "<body>" + notice, 1).encode("utf-8")


def watched_files(manuscript: Path) -> dict[Path, float]:
    """Every file a build reads that a writer edits: the manuscript, and the template and style folders."""
    folders = [manuscript, *templates.template_folders(manuscript), *templates.style_folders(manuscript)]
    stamps = {}
    for folder in folders:
        if folder.is_dir():
            for path in folder.rglob("*"):
                if path.is_file() and not path.name.startswith("."):
                    try:
                        stamps[path] = path.stat().st_mtime_ns
                    except FileNotFoundError:
                        continue
    return stamps


def last_saved(stamps: dict[Path, float]) -> list[Path]:
    """The file saved last, if any."""
    return [max(stamps, key=stamps.get)] if stamps else []


def _watch(preview: Preview, stop: threading.Event) -> None:
    seen = watched_files(preview.manuscript)
    while not stop.wait(POLL_SECONDS):
        now = watched_files(preview.manuscript)
        if now != seen:
            saved = sorted(path for path in now if seen.get(path) != now[path])
            seen = now
            preview.rebuild(saved)


def _handler(preview: Preview):
    # imported here (and in serve): every command imports this module, and few serve
    from http.server import BaseHTTPRequestHandler

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
            path = self.path.split("?")[0]
            side = preview.print_side
            if path == "/__build":
                state = {"build": preview.build, "print": side.current()[0] if side else None}
                self._send(json.dumps(state).encode(), "application/json")
            elif path in ("/", "/index.html"):
                self._send(preview.current(), "text/html; charset=utf-8")
            elif side is not None and path == "/print":
                self._send(print_view(preview.manuscript, *side.current()), "text/html; charset=utf-8")
            elif side is not None and (image := _page_image(side, path)) is not None:
                self._send(image, "image/png")
            else:
                self.send_error(HTTPStatus.NOT_FOUND, "The preview serves / (the web edition) and /print")

        def _send(self, body: bytes, media_type: str) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:  # requests are not news
            pass
    return Handler


def print_view(manuscript: Path, build: int, pages) -> bytes:
    env = templates.environment(manuscript)
    return templates.render(env, "preview-print.html", pages=pages, build=build).encode("utf-8")


def _page_image(side: PrintSide, path: str) -> bytes | None:
    """/print/page-N.png: the Nth page shown (from 1)."""
    found = re.fullmatch(r"/print/page-(\d{1,5})\.png", path)
    return side.image(int(found.group(1))) if found else None


def serve(manuscript: Path, port: int, report: Report, say: Callable[[str], None],
          out_dir: Path | None = None) -> None:
    """Serve until Ctrl-C (or SIGTERM), then stop the server and the watcher cleanly. `out_dir`: where the print
    pages' PDF is built (as `publish build pdf -o` does); None: no print pages."""
    from http.server import ThreadingHTTPServer

    print_side = PrintSide(manuscript, out_dir) if out_dir is not None else None
    preview = Preview(manuscript, say, print_side)
    chapters = {path: stamp for path, stamp in watched_files(manuscript).items() if path.suffix == ".md"}
    preview.rebuild(last_saved(chapters))
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(preview))
    server.daemon_threads = True
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(preview, stop), daemon=True)
    watcher.start()
    address = f"http://127.0.0.1:{server.server_address[1]}"
    pages = f", the print pages beside it at {address}/print" if print_side else ""
    print(f"Previewing {manuscript} at {address}/{pages} (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
        watcher.join(timeout=2)
        if print_side is not None:
            print_side.close()
        say("preview stopped")
