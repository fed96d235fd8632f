"""A map file's value against the format (`schema`): every problem, where it is.

`FileCheck.check` walks a parsed YAML tree (`yamlsafe.YNode`) along a schema kind
and returns the checked value (plain dicts, lists, texts, ids, dates) with the
problems recorded, so one run reports everything; `build` then makes model
records of the value.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from mkdocs_cjm.core import schema
from mkdocs_cjm.core.problems import Problem, Severity, did_you_mean
from mkdocs_cjm.core.yamlsafe import DEFAULT_MAX_FILE_BYTES, YNode

_ID = re.compile(schema.ID_CHARACTERS)
_NOT_AN_ID = "is not a valid id: use only lowercase letters, digits and '-'"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(text: str) -> date | None:
    """A YYYY-MM-DD date, or None: the one date form maps and metrics files use."""
    if _DATE.fullmatch(text) is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def is_id(text: str) -> bool:
    return _ID.fullmatch(text) is not None


@dataclass(frozen=True)
class LoadOptions:
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    # Unknown keys are warnings by default; `strict` makes them errors.
    strict: bool = False
    # Dates after it (`reviewed:`, metrics rows) are warnings; None: not checked.
    today: date | None = None


def suggest_id(text: str) -> str:
    """The id an author probably meant: ASCII, lowercase, words joined by '-'."""
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _id_suggestion(text: str) -> str | None:
    suggestion = suggest_id(text)
    return f"did you mean '{suggestion}'?" if suggestion else None


def _found(node: YNode) -> str:
    value = node.value
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"the boolean {node.text}"
    if isinstance(value, int | float):
        return f"the number {node.text}"
    shown = value if len(value) <= 60 else value[:57] + "..."
    return f"the text {shown!r}"


# YAML 1.1 reads these words as booleans; where text is expected they are text,
# as yaml-language-server (YAML 1.2) also reads them.
_BOOLEAN_WORDS = {"yes", "no", "on", "off", "y", "n"}


_GENERIC_KEYS = frozenset({"id", "name", "description"})


@dataclass
class FileCheck:
    """Validation state of one file: its problems and where each key path sits."""

    display: str
    strict: bool
    problems: list[Problem] = field(default_factory=list)
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    today: date | None = None  # dates after it are warnings (a typo in the year)

    def add(
        self,
        path: str,
        message: str,
        suggestion: str | None = None,
        *,
        at: tuple[int, int] | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        line, column = at or self.position(path)
        self.problems.append(
            Problem(self.display, line, column, path, message, severity, suggestion)
        )

    def position(self, path: str) -> tuple[int, int]:
        # The nearest known ancestor, for keys that are missing.
        while path:
            if path in self.positions:
                return self.positions[path]
            parent = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", path)
            path = "" if parent == path else parent
        return self.positions.get("", (1, 1))

    @property
    def failed(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.problems)

    def check(self, kind: schema.Kind, node: YNode, path: str) -> Any:
        """The value of `node` if it is of `kind`, else None (with the problem recorded)."""
        self.positions.setdefault(path, (node.line, node.column))
        expected = schema.describe(kind)
        value = node.value
        match kind:
            case schema.Text():
                if isinstance(value, bool) and node.text.lower() in _BOOLEAN_WORDS:
                    value = node.text
                if isinstance(value, str):
                    return value.rstrip() if kind.block else value.strip()
                hint = "put it in quotes" if isinstance(value, int | float) else None
                self.add(path, f"expected {expected}, found {_found(node)}", hint)
            case schema.Id():
                if isinstance(value, int) and not isinstance(value, bool) and is_id(node.text):
                    return node.text
                if isinstance(value, str) and is_id(value):
                    return value
                if isinstance(value, str):
                    self.add(path, f"{value!r} {_NOT_AN_ID}", _id_suggestion(value))
                else:
                    self.add(path, f"expected {expected}, found {_found(node)}")
            case schema.Scalar():
                if isinstance(value, str | int | float):
                    return node.text.strip()
                self.add(path, f"expected {expected}, found {_found(node)}")
            case schema.Boolean():
                if isinstance(value, bool):
                    return value
                hint = (
                    "remove the quotes"
                    if isinstance(value, str) and value.strip().lower() in {"true", "false"}
                    else None
                )
                self.add(path, f"expected {expected}, found {_found(node)}", hint)
            case schema.Date():
                text = value.strip() if isinstance(value, str) else node.text
                parsed = parse_date(text) if isinstance(value, str) else None
                if parsed is not None:
                    if self.today is not None and parsed > self.today:
                        self.add(
                            path,
                            f"{parsed.isoformat()} is after today ({self.today.isoformat()}); "
                            "expected the day of the last review",
                            "check the year; today is the option today, else $MKDOCS_CJM_TODAY, else the clock",
                            severity=Severity.WARNING,
                        )
                    return parsed
                hint = None
                if isinstance(value, str) and _DATE.fullmatch(text):
                    hint = "no such day in the calendar"
                self.add(path, f"expected {expected}, found {_found(node)}", hint)
            case schema.Integer(minimum, maximum):
                if isinstance(value, int) and not isinstance(value, bool):
                    if minimum <= value <= maximum:
                        return value
                    self.add(
                        path, f"{node.text} is outside {minimum}..{maximum}; expected {expected}"
                    )
                else:
                    hint = (
                        "remove the quotes"
                        if isinstance(value, str) and value.strip().isdigit()
                        else None
                    )
                    self.add(path, f"expected {expected}, found {_found(node)}", hint)
            case schema.Choice(values):
                if isinstance(value, str) and value in values:
                    return value
                self.add(
                    path,
                    f"expected {expected}, found {_found(node)}",
                    did_you_mean(value.lower(), values) if isinstance(value, str) else None,
                )
            case schema.ListOf(item, min_items):
                if not isinstance(value, list):
                    hint = "write one item per line, each starting with '- '"
                    self.add(path, f"expected {expected}, found {_found(node)}", hint)
                    return None
                if len(value) < min_items:
                    noun = "item" if min_items == 1 else "items"
                    self.add(path, f"expected at least {min_items} {noun}, found an empty list")
                    return None
                return [self.check(item, child, f"{path}[{i}]") for i, child in enumerate(value)]
            case schema.MapOf(value_kind, key_kind):
                if not isinstance(value, dict):
                    self.add(path, f"expected {expected}, found {_found(node)}")
                    return None
                result = {}
                for key, child in value.items():
                    child_path = f"{path}.{key}" if path else key
                    self.positions[child_path] = node.key_positions[key]
                    if isinstance(key_kind, schema.Id) and not is_id(key):
                        self.add(child_path, f"{key!r} {_NOT_AN_ID}", _id_suggestion(key))
                    result[key] = self.check(value_kind, child, child_path)
                return result
            case schema.Record():
                return self._record(kind, node, path)
        return None

    def _unknown_key(self, kind: schema.Record, key: str, path: str, at: tuple[int, int]) -> None:
        fields = kind.fields
        # Keys every record kind has (`id`, `name`, `description`) say nothing about
        # where the author meant them: those stay ordinary unknown keys.
        belongs = [] if key in _GENERIC_KEYS else schema.child_keys(kind).get(key, [])
        if belongs and not did_you_mean(key, fields):
            # A key of the records one level down: ignored here, it would silently
            # change what the page says (a KPI judged higher-is-better), so it is an
            # error even when unknown keys are only warnings.
            owners = " or ".join(f"'{place}'" for place in belongs)
            self.add(
                path,
                f"unknown key '{key}' in a {kind.name}, where it is ignored; "
                f"it belongs one level down",
                f"did you mean {owners}?",
                at=at,
            )
            return
        self.add(
            path,
            f"unknown key '{key}' in a {kind.name}",
            did_you_mean(key, fields) or f"expected one of: {', '.join(fields)}",
            at=at,
            severity=Severity.ERROR if self.strict else Severity.WARNING,
        )

    def _record(self, kind: schema.Record, node: YNode, path: str) -> dict[str, Any] | None:
        name, fields, value = kind.name, kind.fields, node.value
        if not isinstance(value, dict):
            self.add(
                path, f"expected a mapping (key: value) describing a {name}, found {_found(node)}"
            )
            return None
        result = {}
        prefix = f"{path}." if path else ""
        for key, child in value.items():
            if key not in fields:
                self._unknown_key(kind, key, prefix + key, node.key_positions[key])
                continue
            self.positions[prefix + key] = (child.line, child.column)
            if child.value is None:
                # `key:` with nothing after it means "not given"; a required one is
                # reported below as empty.
                continue
            result[key] = self.check(fields[key].kind, child, prefix + key)
        for key in kind.required:
            spec = fields[key]
            if key not in value:
                self.add(
                    prefix + key,
                    f"missing required key '{key}' in a {name}",
                    f"add '{key}:' with {spec.expected}",
                    at=(node.line, node.column),
                )
            elif value[key].value is None or result.get(key) == "":
                self.add(prefix + key, f"'{key}' is empty; expected {spec.expected}")
        for group in kind.exclusive:
            given = [key for key in group if value.get(key) and value[key].value is not None]
            if len(given) > 1:
                self.add(
                    prefix + given[1],
                    f"both {' and '.join(repr(key) for key in given)} are given; "
                    "expected only one of them",
                    "remove one of them",
                )
        return result
