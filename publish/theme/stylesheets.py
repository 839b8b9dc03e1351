"""What a stylesheet loads (url(), @import): local files inside the allowed folders only, never the network."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

import tinycss2

from publish.errors import FormatError, Problem

SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:|^//", re.IGNORECASE)
MAY_LOAD = re.compile(r"url|@import", re.IGNORECASE)  # what a stylesheet that loads a file must hold


@dataclass(frozen=True)
class Resource:
    path: Path  # the file on disk
    href: str  # as the stylesheet names it


def referenced_resources(css: str, css_path: Path, allowed: list[Path]) -> list[Resource]:
    """Every file `css` loads, checked; raises FormatError for remote or outside references."""
    problems, resources = [], []
    for href, line in sorted(_urls(css), key=lambda url: url[1]):
        if href.startswith("data:"):
            continue
        if SCHEME.match(href):
            problems.append(Problem(f"stylesheet loads '{href}' from the network; builds never do: save the file "
                                    "next to the stylesheet and use a relative path", css_path, line))
            continue
        target = (css_path.parent / href.split("#")[0].split("?")[0]).resolve()
        if href.startswith("/") or not any(target.is_relative_to(folder.resolve()) for folder in allowed):
            problems.append(Problem(f"stylesheet loads '{href}', outside the manuscript and style folders; "
                                    "copy it inside", css_path, line))
        elif not target.is_file():
            problems.append(Problem(f"stylesheet loads '{href}', which does not exist", css_path, line))
        else:
            resources.append(Resource(target, href))
    if problems:
        raise FormatError(problems)
    return resources


def packaged_name(folder: str, href: str) -> str:
    """Where a resource goes inside a package whose stylesheet lives in `folder`, so `href` still resolves."""
    return posixpath.normpath(posixpath.join(folder, href.split("#")[0].split("?")[0]))


def _urls(css: str):
    if "\\" not in css and not MAY_LOAD.search(css):  # a backslash may escape "url" into hiding
        return
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    pending = list(rules)
    while pending:
        node = pending.pop()
        if node.type == "url":
            yield node.value, node.source_line
        elif node.type == "at-rule" and node.lower_at_keyword == "import":
            for token in node.prelude:
                if token.type == "string":  # @import "x.css"; url(x.css) is met as a url token below
                    yield token.value, node.source_line
        elif node.type == "function" and node.lower_name == "url":
            for token in node.arguments:
                if token.type == "string":
                    yield token.value, node.source_line
        for attribute in ("prelude", "content", "arguments"):
            children = getattr(node, attribute, None)
            if children:
                pending.extend(children)
