"""Read one YAML file into plain values that remember their line and column.

Safe by construction: only the standard scalar, list and mapping tags are
accepted, aliases are expanded under a budget (an alias bomb stops early with an
error), nesting depth is bounded, duplicate keys are errors, and the bytes must
be UTF-8 (a BOM is tolerated).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .problems import Problem

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_TAG}{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")}
_MERGE_TAG = f"{_TAG}merge"

DEFAULT_MAX_FILE_BYTES = 1_048_576
MAX_VALUES = 100_000
MAX_DEPTH = 64


@dataclass
class YNode:
    """A YAML value with its 1-based position.

    `value` is a `dict[str, YNode]`, a `list[YNode]`, or a scalar (str, int, float,
    bool, None). `text` is a scalar as written, so "2.50" is shown as "2.50".
    """

    value: Any
    line: int
    column: int
    text: str = ""
    key_positions: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        if isinstance(self.value, dict):
            return "mapping"
        if isinstance(self.value, list):
            return "list"
        return "scalar"


class _Reject(Exception):
    def __init__(
        self, node: Node | None, message: str, suggestion: str | None = None, path: str = ""
    ) -> None:
        super().__init__(message)
        self.node = node
        self.path = path
        self.message = message
        self.suggestion = suggestion


def read_yaml(
    path: Path, display: str, *, max_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> tuple[YNode | None, list[Problem]]:
    """Parse `path`; on failure return None and one problem saying where and why."""

    def problem(line: int, column: int, message: str, suggestion: str | None = None) -> Problem:
        return Problem(display, line, column, "", message, suggestion=suggestion)

    try:
        size = path.stat().st_size
        if size > max_bytes:
            return None, [
                problem(
                    1,
                    1,
                    f"file is {size} bytes, over the limit of {max_bytes} bytes",
                    "split it into smaller maps, or raise the plugin option max_file_size",
                )
            ]
        data = path.read_bytes()
    except OSError as exc:
        return None, [problem(0, 0, f"cannot read the file: {exc.strerror or exc}")]

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = data[exc.start]
        return None, [
            problem(
                line,
                column,
                f"the file is not UTF-8: byte 0x{byte:02X} cannot be decoded",
                "save the file with UTF-8 encoding",
            )
        ]

    try:
        loader = yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        return None, [problem(line, column, *_describe_syntax_error(exc, text))]
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        return None, [
            problem(
                line,
                column,
                f"the file contains a control character (#x{exc.character:04x}) YAML does not allow"
                if isinstance(exc.character, int)
                else "the file contains a character YAML does not allow",
                "remove it, or write it inside a quoted string as an escape",
            )
        ]
    except yaml.YAMLError as exc:
        return None, [problem(0, 0, f"YAML error: {exc}")]
    except RecursionError:
        return None, [problem(1, 1, f"nesting is deeper than {MAX_DEPTH} levels")]

    if root is None:
        return YNode(None, 1, 1), []

    def rejected(exc: _Reject) -> Problem:
        node = exc.node or root
        mark = node.start_mark
        return Problem(
            display, mark.line + 1, mark.column + 1, exc.path, exc.message, suggestion=exc.suggestion
        )

    converter = _Converter()
    try:
        tree = converter.convert(root, "")
    except _Reject as exc:
        return None, [*map(rejected, converter.duplicates), rejected(exc)]
    if converter.duplicates:
        return None, [rejected(exc) for exc in converter.duplicates]
    return tree, []


def _describe_syntax_error(exc: yaml.MarkedYAMLError, text: str) -> tuple[str, str | None]:
    problem_text = exc.problem or "invalid YAML"
    message = f"YAML syntax error: {problem_text}"
    if exc.context:
        message += f" ({exc.context})"
    suggestion = None
    if "'\\t'" in problem_text or "\t" in problem_text:
        suggestion = "indent with spaces: YAML does not allow tab characters for indentation"
    elif "mapping values are not allowed" in problem_text:
        suggestion = "put text that contains ': ' inside quotes"
    elif "found character '@'" in problem_text or "found character '`'" in problem_text:
        suggestion = "put text that starts with @ or ` inside quotes"
    elif "could not find expected ':'" in problem_text:
        suggestion = "check the indentation and that every key ends with ':'"
    elif "found undefined alias" in problem_text:
        suggestion = "define the anchor (&name) before using the alias (*name)"
    return message, suggestion


class _Converter:
    """Turns composed YAML nodes into YNodes, bounding the work aliases can cause."""

    def __init__(self) -> None:
        self._values = 0
        self._constructor = SafeConstructor()
        # Duplicate keys do not stop reading, so one run reports all of them.
        self.duplicates: list[_Reject] = []

    def convert(self, node: Node, path: str, depth: int = 0) -> YNode:
        self._values += 1
        if self._values > MAX_VALUES:
            raise _Reject(
                node,
                f"the file expands to more than {MAX_VALUES} values through aliases",
                "an alias bomb? write the values out instead of nesting aliases",
                path,
            )
        if depth > MAX_DEPTH:
            raise _Reject(node, f"nesting is deeper than {MAX_DEPTH} levels", None, path)
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        if isinstance(node, ScalarNode):
            return YNode(self._scalar(node, path), line, column, text=str(node.value))
        if isinstance(node, SequenceNode):
            self._check_tag(node, f"{_TAG}seq", path)
            items = [
                self.convert(item, f"{path}[{index}]", depth + 1)
                for index, item in enumerate(node.value)
            ]
            return YNode(items, line, column)
        if isinstance(node, MappingNode):
            self._check_tag(node, f"{_TAG}map", path)
            return self._mapping(node, path, depth, line, column)
        raise _Reject(node, "unsupported YAML node", None, path)

    @staticmethod
    def _check_tag(node: Node, expected: str, path: str) -> None:
        if node.tag != expected:
            shown = node.tag.replace(_TAG, "!!")
            raise _Reject(
                node,
                f"the YAML tag '{shown}' is not allowed",
                "remove the tag: maps hold only text, numbers, lists and mappings",
                path,
            )

    def _scalar(self, node: ScalarNode, path: str) -> Any:
        if node.tag not in _SCALAR_TAGS:
            self._check_tag(node, f"{_TAG}str", path)
        if node.tag == f"{_TAG}timestamp":
            return str(node.value)  # a date is text to a journey map, shown as written
        try:
            return self._constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            raise _Reject(node, f"cannot read the value '{node.value}': {exc}", None, path) from exc

    def _mapping(self, node: MappingNode, path: str, depth: int, line: int, column: int) -> YNode:
        result = YNode({}, line, column)
        merged: list[YNode] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                source = self.convert(value_node, path, depth + 1)
                sources = source.value if isinstance(source.value, list) else [source]
                for item in sources:
                    if not isinstance(item.value, dict):
                        raise _Reject(
                            value_node,
                            "a merge key (<<) needs a mapping or a list of mappings",
                            None,
                            path,
                        )
                    merged.append(item)
                continue
            if not isinstance(key_node, ScalarNode):
                raise _Reject(
                    key_node, "a mapping key must be a plain value, not a list or mapping", None, path
                )
            self._scalar(key_node, path)  # refuses tagged keys
            key = str(key_node.value)
            key_path = f"{path}.{key}" if path else key
            if key in result.value:
                first_line = result.key_positions[key][0]
                self.duplicates.append(
                    _Reject(
                        key_node,
                        f"duplicate key '{key}' (first given on line {first_line})",
                        "remove one of them: YAML would silently keep only the last",
                        key_path,
                    )
                )
                continue
            result.key_positions[key] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result.value[key] = self.convert(value_node, key_path, depth + 1)
        for source in merged:
            for key, value in source.value.items():
                if key not in result.value:
                    result.value[key] = value
                    result.key_positions[key] = source.key_positions[key]
        return result
