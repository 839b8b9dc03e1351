"""book.yaml's options sections (print, epub, lint, contents, limits, fonts), checked against the settings their
dataclasses declare in model.py: each key's type and default from its field, its kind, choices and bounds from
its Setting."""

from __future__ import annotations

import difflib
import re
import types
from typing import Any, get_args, get_type_hints

from publish.manuscript.yaml_document import Validator, type_name
from publish.model import (
    TRIM_PRESETS_MM,
    ContentsOptions,
    EpubOptions,
    FontOptions,
    LimitOptions,
    LintOptions,
    PrintOptions,
    Setting,
    settings,
)

SECTIONS = {  # section -> (its options, an example line for the message when it is not a mapping)
    "print": (PrintOptions, "trim_size: 6x9"),
    "epub": (EpubOptions, "notes: book"),
    "lint": (LintOptions, "disable: [long-sentence]"),
    "contents": (ContentsOptions, "lists: [figures, tables]"),
    "limits": (LimitOptions, "chapter_mb: 40"),
    "fonts": (FontOptions, "body: EB Garamond"),
}
NO_MARKS_PROFILES = ("screen", "kdp", "lulu")  # their printers refuse crop marks
TRIM_CUSTOM = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*x\s*(\d+(?:\.\d+)?)\s*(in|mm|cm)\s*$", re.IGNORECASE)
UNIT_MM = {"in": 25.4, "mm": 1.0, "cm": 10.0}


def section_options(name: str, raw: Any, check: Validator):
    """The options of one section as book.yaml gives them, every problem reported to `check`."""
    options_type, example = SECTIONS[name]
    if raw is None:
        return options_type()
    if not isinstance(raw, dict):
        check.problem(f"'{name}' must be a mapping (e.g. '{name}:' then '  {example}'), not {type_name(raw)}", name)
        return options_type()
    declared = {setting.key or field: (field, setting) for field, setting in settings(options_type)}
    check.check_keys(raw, {key: setting for key, (_, setting) in declared.items()}, name)
    hints, defaults, values = get_type_hints(options_type), options_type(), {}
    for key, (field, setting) in declared.items():
        if key not in raw:
            continue
        if key in SPECIAL:
            values.update(SPECIAL[key](raw[key], setting, check))
        else:
            values[field] = _value(raw[key], key, setting, hints[field], getattr(defaults, field), check, name)
    options = options_type(**values)
    if name == "print" and options.crop_marks and options.profile in NO_MARKS_PROFILES:
        check.problem(f"crop_marks: the {options.profile} profile's printer refuses crop marks; remove "
                      f"'crop_marks: true' or choose profile: ingram", "print", "crop_marks")
    return options


def _value(value: Any, key: str, setting: Setting, annotation: Any, default: Any, check: Validator, section: str):
    """`value` if it is of the field's type and within the setting's choices and bounds; else the default, and a
    problem saying what the writer must give."""
    if value is None and default is None:
        return None
    if setting.choices:
        if value in setting.choices:
            return value
        check.problem(f"{key} '{value}' must be one of {', '.join(setting.choices)}", section, key)
        return default
    if _fits(value, _base_type(annotation), setting):
        return value
    check.problem(f"{key} must be {setting.kind}, not {value!r}", section, key)
    return default


def _base_type(annotation: Any) -> type:
    """bool for `bool | None`, and so on."""
    if isinstance(annotation, types.UnionType):
        return next(kind for kind in get_args(annotation) if kind is not type(None))
    return annotation


def _fits(value: Any, kind: type, setting: Setting) -> bool:
    if isinstance(value, bool) or kind is bool:
        return kind is bool and isinstance(value, bool)
    if not isinstance(value, (int, float) if kind is float else kind):
        return False
    if kind in (int, float):
        return ((setting.minimum is None or value >= setting.minimum)
                and (setting.maximum is None or value <= setting.maximum) and not (setting.even and value % 2))
    return True


def _trim_size(value: Any, setting: Setting, check: Validator) -> dict[str, float]:
    width, height = _trim_mm(value)
    if width is None:
        check.problem(f"trim_size '{value}' is not a preset ({', '.join(TRIM_PRESETS_MM)}) "
                      "nor a size such as '6 x 9 in' or '140 x 216 mm' between 3 and 17 in", "print", "trim_size")
        return {}
    return {"trim_width_mm": width, "trim_height_mm": height}


def _trim_mm(value: Any) -> tuple[float, float] | tuple[None, None]:
    text = str(value).strip().lower().replace(" ", "")
    if text in TRIM_PRESETS_MM:
        return TRIM_PRESETS_MM[text]
    if text.removesuffix("in") in TRIM_PRESETS_MM:
        return TRIM_PRESETS_MM[text.removesuffix("in")]
    custom = TRIM_CUSTOM.match(str(value))
    if custom:
        factor = UNIT_MM[custom.group(3).lower()]
        width, height = float(custom.group(1)) * factor, float(custom.group(2)) * factor
        if 76 <= width <= 432 and 76 <= height <= 432:
            return round(width, 2), round(height, 2)
    return None, None


def _disabled_rules(value: Any, setting: Setting, check: Validator) -> dict[str, tuple[str, ...]]:
    return {"disabled": _names(value, setting, check, "lint", "disable", "lint rule")}


def _lists(value: Any, setting: Setting, check: Validator) -> dict[str, tuple[str, ...]]:
    return {"lists": _names(value, setting, check, "contents", "lists", "list")}


def _names(value: Any, setting: Setting, check: Validator, section: str, key: str, what: str) -> tuple[str, ...]:
    """A list of names each among the setting's choices; each one that is not gives a problem with a suggestion."""
    names = check.text_list(value, section, key)
    for name in names:
        if name not in setting.choices:
            close = difflib.get_close_matches(name, setting.choices, n=1)
            hint = f" — did you mean '{close[0]}'?" if close else f"; choose from: {', '.join(setting.choices)}"
            check.problem(f"unknown {what} '{name}'{hint}", section, key)
    return tuple(name for name in names if name in setting.choices)


def _font_names(key: str):
    def names(value: Any, setting: Setting, check: Validator) -> dict[str, tuple[str, ...]]:
        return {key: check.text_list(value, "fonts", key)}
    return names


# Keys whose value is not the field's as written.
SPECIAL = {"trim_size": _trim_size, "disable": _disabled_rules, "lists": _lists,
           **{role: _font_names(role) for role in ("body", "display", "mono")}}
