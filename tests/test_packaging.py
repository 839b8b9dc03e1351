"""The package as users install it: a wheel built from pyproject.toml (no deprecation noise from the build
backend), installed into a fresh virtual environment (not editable), builds the review from another folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.helpers import PROJECT

pytestmark = pytest.mark.slow

BUILD_WHEEL = "import sys; from setuptools import build_meta; print(build_meta.build_wheel(sys.argv[1]))"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> tuple[Path, str]:
    """The wheel, and what the build backend printed while making it."""
    folder = tmp_path_factory.mktemp("wheel")
    work = tmp_path_factory.mktemp("checkout") / "publish"
    shutil.copytree(PROJECT, work, symlinks=True, ignore=shutil.ignore_patterns(
        ".venv", "node_modules", "build", "dist", ".git", "*.egg-info", "__pycache__"))
    made = subprocess.run([sys.executable, "-c", BUILD_WHEEL, str(folder)], cwd=work, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    return folder / made.stdout.strip().splitlines()[-1], made.stdout + made.stderr


def test_the_build_backend_says_nothing_is_deprecated(wheel):
    _, printed = wheel
    assert "deprecat" not in printed.lower(), printed


def test_the_wheel_holds_the_styles_and_templates(wheel):
    path, _ = wheel
    names = zipfile.ZipFile(path).namelist()
    styles = [name for name in names if name.startswith("publish/theme/styles/")]
    templates = [name for name in names if name.startswith("publish/theme/templates/")]
    assert {Path(name).name for name in styles} >= {"epub.css", "print.css", "web.css", "cover.css"}
    assert "publish/theme/templates/print.html" in templates


def test_installed_from_the_wheel_it_builds_the_review_from_another_folder(wheel, tmp_path):
    path, _ = wheel
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                                "--no-deps", "--no-index", str(path)], capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr
    # The libraries come from the test environment; its editable install of publish is not seen from there.
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "libraries.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(PROJECT / "manuscript", elsewhere / "manuscript")
    where = subprocess.run([str(python), "-c", "import publish; print(publish.__file__)"], cwd=elsewhere,
                           capture_output=True, text=True, check=True).stdout
    assert Path(where.strip()).is_relative_to(venv)
    built = subprocess.run([str(venv / "bin" / "publish"), "build", "-q", "-o", "out"], cwd=elsewhere,
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    outputs = sorted(path.name for path in (elsewhere / "out").iterdir() if path.is_file())
    assert outputs == ["never-let-me-go-2010-cover.pdf", "never-let-me-go-2010.epub", "never-let-me-go-2010.html",
                       "never-let-me-go-2010.pdf"]
