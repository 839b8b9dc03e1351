"""The Jinja2 environment and the stylesheets: the user's manuscript folder first, then the built-in ones.

Templates run sandboxed (a manuscript's templates may come from anyone): they reach the data they are given,
never Python's internals, and what they get wrong is a `templates/NAME:LINE:` error, not a traceback."""

from __future__ import annotations

import datetime as dt
import math
import os
import traceback
from pathlib import Path

import jinja2
import jinja2.sandbox
from markupsafe import Markup, escape

from publish.errors import FormatError, Problem
from publish.manuscript.files import TEXT_LIMIT, read_utf8
from publish.model import Typefaces, primary_language

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
PACKAGE_STYLES = Path(__file__).parent / "styles"


def template_folders(manuscript_root: Path) -> list[Path]:
    return [manuscript_root / "templates", PACKAGE_TEMPLATES]


def style_folders(manuscript_root: Path) -> list[Path]:
    return [manuscript_root / "styles", PACKAGE_STYLES]


@jinja2.pass_context
def names(context, creators, role: str = "aut") -> str:
    """'A', 'A and B', 'A, B and C', in the language of the template's book."""
    return context["book"].strings.names([c.name for c in creators if c.role == role])


def fill(text: str, **pieces: str) -> Markup:
    """`text` escaped, with each {name} replaced by the template's own markup for it (a link, a code span)."""
    escaped = str(escape(text))
    for name, markup in pieces.items():
        escaped = escaped.replace(f"{{{name}}}", str(markup))
    return Markup(escaped)


def font_credits(fonts: Typefaces) -> list[str]:
    """The book's typefaces as the colophon names them."""
    return [typeface.credit or typeface.family for typeface in fonts.every()]


def all_shipped(fonts: Typefaces) -> bool:
    """Whether every typeface is the tool's own (SIL OFL), so the colophon may name the licence."""
    return all(typeface.source == "shipped" for typeface in fonts.every())


class ContainedLoader(jinja2.FileSystemLoader):
    """Loads templates only from ordinary files really inside the search folders, checked before they are opened:
    a symlink out of them is refused unread, and so is a pipe or a device."""

    def get_source(self, environment: jinja2.Environment, template: str):
        parts = jinja2.loaders.split_template_path(template)
        for folder in map(Path, self.searchpath):
            path = folder.joinpath(*parts)
            if not os.path.lexists(path):
                continue
            if not _inside(path, [folder]):
                raise FormatError(Problem(f"template '{template}' links to a file outside its folder; copy it in",
                                          path))
            source = read_utf8(path, TEXT_LIMIT, "a template this large is not one; check the file")
            modified = path.stat().st_mtime
            return source, str(path), lambda: path.exists() and path.stat().st_mtime == modified
        raise jinja2.TemplateNotFound(template)


def _inside(path: Path, folders: list[Path]) -> bool:
    resolved = path.resolve()
    return any(resolved.is_relative_to(folder.resolve()) for folder in folders)


MAX_MADE = 1_000_000  # characters or items a template's `*` may make, and digits its `**` may


class BookSandbox(jinja2.sandbox.SandboxedEnvironment):
    """Jinja's sandbox, with `*` and `**` bounded too: a template may not make a value that exhausts memory
    (`'x' * 10**10`, `9 ** 9 ** 9`)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator: str, left, right):
        if operator == "*" and _made_length(left, right) > MAX_MADE:
            raise jinja2.sandbox.SecurityError(f"'*' would make a value of over {MAX_MADE:,} characters or items")
        if operator == "**" and _power_digits(left, right) > MAX_MADE:
            raise jinja2.sandbox.SecurityError(f"'**' would make a number of over {MAX_MADE:,} digits")
        return super().call_binop(context, operator, left, right)


def _made_length(left, right) -> int:
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, (str, list, tuple)) and isinstance(times, int):
            return len(sequence) * times
    return 0


def _power_digits(base, exponent) -> float:
    if isinstance(base, int) and isinstance(exponent, int) and abs(base) > 1 and exponent > 0:
        return exponent * math.log10(abs(base))
    return 0


def environment(manuscript_root: Path) -> jinja2.Environment:
    """The templates of the book's folder over the tool's. Compiled templates are kept in the user's cache folder
    (compiling the tool's takes about 0.3 s), keyed by each template's source, so that a first build into a new
    output folder does not compile them again."""
    env = BookSandbox(
        loader=ContainedLoader([str(p) for p in template_folders(manuscript_root)]),
        autoescape=jinja2.select_autoescape(["html", "xhtml", "xml", "svg"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["names"] = names
    env.filters["css_string"] = css_string
    env.filters["font_credits"] = font_credits
    env.filters["fill"] = fill
    env.filters["all_shipped"] = all_shipped
    env.filters["human_date"] = human_date
    folder = compiled_templates_folder()
    if folder is not None:
        env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder))
    return env


def compiled_templates_folder() -> Path | None:
    """$XDG_CACHE_HOME/publish/templates (~/.cache/...), one folder per Jinja version; None when it cannot be made
    (a read-only home): templates are then compiled at each build."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = base / "publish" / f"templates-jinja-{jinja2.__version__}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder


@jinja2.pass_context
def human_date(context, iso: str) -> str:
    """book.yaml's date as the book's language writes one ('2024-05-31': '31 May 2024' in en-GB, '31 mai 2024' in
    fr, '2024年5月31日' in ja); a year alone stays as it is."""
    from babel.dates import format_date, format_skeleton

    locale = _locale(context["book"].metadata.language)
    parts = [int(part) for part in iso.split("-")]
    if len(parts) == 3:
        return format_date(dt.date(*parts), "long", locale=locale)
    if len(parts) == 2:
        return format_skeleton("yMMMM", dt.date(*parts, 1), locale=locale)
    return iso


def _locale(language: str):
    """Babel's locale for a BCP 47 tag: the tag's own, else its language's, else English."""
    from babel import Locale, UnknownLocaleError

    for tag in (language, primary_language(language)):
        try:
            return Locale.parse(tag, sep="-")
        except (ValueError, UnknownLocaleError):
            continue
    return Locale("en")


def css_string(text: str) -> str:
    """`text` as a quoted CSS string (for `content:`, a family name), whatever it holds."""
    escaped = "".join(f"\\{ord(char):x} " if char in '"\\' or ord(char) < 0x20 or char == "\x7f" else char
                      for char in text)
    return f'"{escaped}"'


def render(env: jinja2.Environment, name: str, **context) -> str:
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateNotFound as error:
        searched = ", ".join(str(Path(p) / error.name) for p in env.loader.searchpath)
        raise FormatError(Problem(f"template '{error.name}' not found; searched {searched}")) from None
    except jinja2.TemplateSyntaxError as error:
        raise FormatError(Problem(f"template error: {error.message}", Path(error.filename or name),
                                  error.lineno)) from None
    except jinja2.sandbox.SecurityError as error:
        reason = str(error).rstrip(".")
        raise FormatError(Problem(f"template refused: {reason}; a template may use the book's data, not Python's "
                                  "internals", *_template_line(error, env, name))) from None
    except (jinja2.TemplateError, ArithmeticError, LookupError, TypeError, ValueError, RecursionError) as error:
        path, line = _template_line(error, env, name)
        if not _inside(path, [Path(env.loader.searchpath[0])]):
            raise  # a fault in the tool's own templates
        reason = ("it calls itself without end (a macro, include or extends that repeats)"
                  if isinstance(error, RecursionError) else error)
        raise FormatError(Problem(f"template error: {reason}", path, line)) from None


def _template_line(error: Exception, env: jinja2.Environment, name: str) -> tuple[Path, int | None]:
    """The template file and line a rendering error happened at (Jinja maps its frames to template lines)."""
    folders = [Path(folder) for folder in env.loader.searchpath]
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if _inside(Path(frame.filename), folders):
            return Path(frame.filename), frame.lineno
    return Path(name), None


def stylesheet_path(manuscript_root: Path, name: str) -> Path:
    for folder in style_folders(manuscript_root):
        if (folder / name).is_file():
            if not _inside(folder / name, [folder]):
                raise FormatError(Problem(f"stylesheet '{name}' links to a file outside {folder}; copy it in",
                                          folder / name))
            return folder / name
    searched = ", ".join(str(folder / name) for folder in style_folders(manuscript_root))
    raise FormatError(Problem(f"stylesheet '{name}' not found; searched {searched}"))


def stylesheet(manuscript_root: Path, name: str) -> str:
    return read_utf8(stylesheet_path(manuscript_root, name))


def inline_stylesheet(manuscript_root: Path, names: list[str]) -> Markup:
    """The named stylesheets as one text to put inside <style>, where HTML does not unescape: never escaped,
    so it may not hold the '</style' that would end the element early."""
    sheets = [(name, stylesheet(manuscript_root, name)) for name in names]
    for name, css in sheets:
        if "</style" in css.lower():
            raise FormatError(Problem(f"stylesheet '{name}' holds '</style': remove it (it would end the page's "
                                      "style element)", stylesheet_path(manuscript_root, name)))
    return Markup("\n".join(css for _, css in sheets))
