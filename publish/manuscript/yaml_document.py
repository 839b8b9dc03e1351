"""YAML as book.yaml is checked: the parsed document with the line of every key, and a validator that collects
every problem at its line before anything stops."""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path
from typing import Any

import yaml

from publish.errors import ConfigError, Problem
from publish.manuscript.files import NOT_XML

MAX_VALUES = 100_000  # values a document may hold once its aliases are expanded (a "billion laughs" holds 10^9)


class YamlProblem(Exception):
    """YAML that cannot be read, or that a book may not hold: `line` is 0-based within the text; `syntax` is the
    parser's words for a text that is not YAML at all ('at column 3: expected ...')."""

    def __init__(self, message: str, line: int | None, syntax: str | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.syntax = message, line, syntax


def load_bounded(text: str) -> tuple[Any, yaml.Node | None]:
    """The document in `text` and its root node, as yaml.safe_load reads it, but refused (YamlProblem) where its
    aliases expand past MAX_VALUES, where it nests deeper than the parser can follow, or where it holds a
    character a book cannot."""
    try:
        loader = yaml.SafeLoader(text)  # which reads the text through, refusing what YAML may not hold
    except yaml.reader.ReaderError as error:
        raise YamlProblem(_character_message(chr(error.character)), text.count("\n", 0, error.position)) from None
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_expansion(node)
        return (loader.construct_document(node) if node is not None else None), node
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        syntax = f"{f' at column {mark.column + 1}' if mark else ''}: {error.problem or error.context}"
        raise YamlProblem(f"invalid YAML{syntax}; check the indentation and quoting", mark.line if mark else None,
                          syntax) from None
    except RecursionError:
        raise YamlProblem("the YAML nests too deeply to be read; flatten it", None) from None
    finally:
        loader.dispose()


def _check_expansion(root: yaml.Node) -> None:
    """Count the values as constructing them would make them, each alias expanded, stopping past the bound (a
    document whose aliases refer to themselves never ends, and is refused the same way)."""
    count, pending = 0, [root]
    while pending:
        node = pending.pop()
        count += 1
        if count > MAX_VALUES:
            raise YamlProblem(f"the aliases (*name) here expand to over {MAX_VALUES:,} values; write the values "
                              "out instead of repeating them through aliases", node.start_mark.line)
        if isinstance(node, yaml.MappingNode):
            pending.extend(item for pair in node.value for item in pair)
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)
        elif isinstance(node.value, str) and NOT_XML.search(node.value):
            raise YamlProblem(_character_message(NOT_XML.search(node.value).group()), node.start_mark.line)


def _character_message(character: str) -> str:
    return (f"this line holds the invisible character U+{ord(character):04X}, which a book cannot hold (a control "
            "character or a noncharacter, perhaps pasted in); delete it")


class YamlDocument:
    """Parsed YAML plus the line of every key, so problems can say where they are."""

    def __init__(self, text: str, path: Path) -> None:
        self.path = path
        self.lines: dict[tuple, int] = {}
        self.problems: list[Problem] = []
        try:
            data, node = load_bounded(text)
        except YamlProblem as problem:
            raise ConfigError(Problem(problem.message, path, None if problem.line is None else problem.line + 1)
                              ) from None
        self.data = data if node is not None else {}
        if node is not None:
            self._record_lines(node, ())

    def _record_lines(self, node: yaml.Node, key_path: tuple) -> None:
        self.lines[key_path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, value_node in node.value:
                key = key_node.value
                if key in seen:
                    self.problems.append(Problem(
                        f"key '{key}' is given twice; keep one", self.path, key_node.start_mark.line + 1))
                seen.add(key)
                self._record_lines(value_node, key_path + (key,))
                self.lines[key_path + (key,)] = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._record_lines(item, key_path + (index,))

    def line(self, *key_path) -> int | None:
        while key_path and key_path not in self.lines:
            key_path = key_path[:-1]
        return self.lines.get(key_path)


class Validator:
    """Collects every problem of a document, each at its line. `kinds` says what each top-level key must be, in
    the writer's words, for the messages."""

    def __init__(self, document: YamlDocument, kinds: dict[str, str]) -> None:
        self.doc = document
        self.kinds = kinds
        self.problems = list(document.problems)

    def problem(self, message: str, *key_path) -> None:
        self.problems.append(Problem(message, self.doc.path, self.doc.line(*key_path)))

    def check_keys(self, mapping: dict, fields: dict, *key_path) -> None:
        """Unknown keys (with the close match), and missing required ones; `fields` maps each key to what
        declares it (a `kind`, and `required` if it must be there)."""
        suggested = set()
        for key in mapping:
            if key in fields:
                continue
            close = difflib.get_close_matches(str(key), fields, n=1, cutoff=0.6)
            hint = f" — did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(fields)}"
            suggested.update(close)
            self.problem(f"unknown key '{key}'{hint}", *key_path, key)
        for name, field in fields.items():
            if getattr(field, "required", False) and mapping.get(name) in (None, "") and name not in suggested:
                self.problem(f"missing required key '{name}' ({field.kind})", *key_path)

    def _kind(self, key_path: tuple) -> str:
        return self.kinds.get(key_path[-1], "text")

    def text(self, value: Any, *key_path) -> str | None:
        if value is None:
            return None
        if isinstance(value, (dt.date, int, float)) and not isinstance(value, bool):
            return self._date_or_number(value, *key_path)
        if not isinstance(value, str):
            self.problem(f"'{key_path[-1]}' must be {self._kind(key_path)}, not {type_name(value)}", *key_path)
            return None
        return value.strip() or None

    def _date_or_number(self, value: Any, *key_path) -> str | None:
        if key_path[-1] == "date" and isinstance(value, dt.date):
            return value.isoformat()[:10]
        if key_path[-1] == "date" and isinstance(value, int) and 1000 <= value <= 9999:
            return str(value)
        if isinstance(value, (int, float)):
            self.problem(f"'{key_path[-1]}' must be text: write it in quotes, e.g. '{value}'", *key_path)
            return None
        self.problem(f"'{key_path[-1]}' must be {self._kind(key_path)}, not a date", *key_path)
        return None

    def text_list(self, value: Any, *key_path) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problem(f"'{key_path[-1]}' must be {self._kind(key_path)}, not {type_name(value)}", *key_path)
            return ()
        items = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.problem(f"item {index + 1} of '{key_path[-1]}' must be a non-empty text", *key_path, index)
            else:
                items.append(item.strip())
        return tuple(items)


def type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", bool: "true/false", int: "a number", float: "a number",
            type(None): "empty"}.get(type(value), type(value).__name__)
