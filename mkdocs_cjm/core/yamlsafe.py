"""Read one YAML file into plain values that remember their line and column.

Safe by construction: only the standard scalar, list and mapping tags are
accepted, aliases are expanded under a budget (an alias bomb stops early with an
error), nesting depth is bounded, duplicate keys are errors, and the bytes must
be UTF-8 (a BOM is tolerated).
"""

from __future__ import annotations

import codecs
import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mkdocs_cjm.core.problems import Problem
from mkdocs_cjm.core.yaml_messages import describe_syntax_error

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_TAG}{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")}
_MERGE_TAG = f"{_TAG}merge"
# What a `\ud800`-style escape can put in a string: half of a UTF-16 pair is no
# character, cannot be written as UTF-8, and would crash the build much later.
_SURROGATE = re.compile("[\ud800-\udfff]")

DEFAULT_MAX_FILE_BYTES = 1_048_576
# The largest `max_file_size` the option takes: a read of more cannot be allocated.
MAX_FILE_BYTES_LIMIT = 1 << 30
# Values produced by expanding aliases. Honest reuse (a shared block of fields)
# stays far below; a "billion laughs" file crosses it within milliseconds.
MAX_ALIAS_VALUES = 10_000
MAX_DEPTH = 64


# How much of a value an error line quotes: enough to recognise it, never the whole of
# a pasted page or of what aliases expand to.
EXCERPT_CHARACTERS = 60


def excerpt(text: str, limit: int = EXCERPT_CHARACTERS) -> str:
    """`text` cut to `limit` characters (with "…") for quoting in an error line."""
    return text if len(text) <= limit else text[:limit] + "…"


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

    def plain(self) -> Any:
        """The value as plain Python data (dicts, lists, scalars), positions dropped."""
        if isinstance(self.value, dict):
            return {key: child.plain() for key, child in self.value.items()}
        if isinstance(self.value, list):
            return [child.plain() for child in self.value]
        return self.value


class _Reject(Exception):
    def __init__(
        self, node: Node | None, message: str, suggestion: str | None = None, path: str = ""
    ) -> None:
        super().__init__(message)
        self.node = node
        self.path = path
        self.message = message
        self.suggestion = suggestion


class _TooDeep(Exception):
    def __init__(self, mark: yaml.Mark) -> None:
        super().__init__("too deep")
        self.mark = mark


class _SafeLoader(yaml.SafeLoader):
    """SafeLoader that bounds nesting while composing and remembers where aliases are used.

    PyYAML hands back the anchored node itself for every alias, which loses the
    alias's own position and makes expansion invisible. Each alias use becomes a
    shallow copy instead (children are shared, so memory stays flat) carrying the
    alias's position, and `alias_nodes` tells the converter which nodes they are.
    """

    # `=` alone would resolve to the YAML 1.1 "value" tag; to an author it is text.
    yaml_implicit_resolvers = {  # noqa: RUF012 (PyYAML's own class attribute, not mutated)
        first: [(tag, regexp) for tag, regexp in resolvers if tag != f"{_TAG}value"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.alias_nodes: set[int] = set()
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        mark: yaml.Mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
        if self.check_event(AliasEvent):
            anchored = Composer.compose_node(self, parent, index)
            node = copy.copy(anchored)
            if node is not None:
                node.start_mark = node.end_mark = mark
                self.alias_nodes.add(id(node))
            return node
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep(mark)
            return Composer.compose_node(self, parent, index)
        finally:
            self._depth -= 1


def _libyaml_compose(text: str) -> tuple[_SafeLoader, Node | None] | None:
    """The same composition over libyaml's parser, about six times faster; None if it fails.

    Only a file that parses is taken from here: for any error the caller parses
    again with the pure-Python loader, whose messages and positions it explains.
    """
    if _CLoader is None or _LIBYAML_DIFFERS.search(text):
        return None
    loader: Any = _CLoader(text)
    try:
        return loader, loader.get_single_node()
    except (yaml.YAMLError, _TooDeep, RecursionError):
        return None


# Where libyaml and PyYAML disagree: libyaml accepts tabs PyYAML refuses, and counts
# columns differently around a BOM or Unicode line breaks. Such files take the slow path.
_LIBYAML_DIFFERS = re.compile("[\t\ufeff\x85\u2028\u2029]")


def _make_libyaml_loader() -> type | None:
    try:
        from yaml.cyaml import CParser  # type: ignore[attr-defined]
    except ImportError:  # PyYAML built without libyaml
        return None

    class Loader(Composer, CParser, SafeConstructor, yaml.resolver.Resolver):
        yaml_implicit_resolvers = _SafeLoader.yaml_implicit_resolvers
        compose_node = _SafeLoader.compose_node

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            self.alias_nodes: set[int] = set()
            self._depth = 0

        def compose_scalar_node(self, anchor: Any) -> Any:
            event: Any = self.peek_event()
            if event.value == "" and not event.style:
                # libyaml places an empty value at the next token, PyYAML after the
                # key: keep PyYAML's positions in messages about empty values.
                raise yaml.YAMLError("empty plain scalar")
            return Composer.compose_scalar_node(self, anchor)

    return Loader


_CLoader = _make_libyaml_loader()


def read_yaml(
    path: Path, display: str, *, max_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> tuple[YNode | None, list[Problem]]:
    """Parse `path`; on failure return None and the problems saying where and why."""

    def problem(line: int, column: int, message: str, suggestion: str | None = None) -> Problem:
        return Problem(display, line, column, "", message, suggestion=suggestion)

    try:
        with path.open("rb") as stream:
            data = stream.read(max_bytes + 1)
    except OSError as exc:
        return None, [problem(0, 0, f"cannot read the file: {exc.strerror or exc}")]
    if len(data) > max_bytes:
        try:
            size = path.stat().st_size
        except OSError:
            size = len(data)
        return None, [
            problem(
                1,
                1,
                f"the file is {size:,} bytes, over the limit of {max_bytes:,} bytes",
                "split it into smaller maps, or raise the plugin option max_file_size",
            )
        ]

    text = _decode(data)
    if isinstance(text, tuple):
        line, column, message = text
        return None, [problem(line, column, message, "save the file with the UTF-8 encoding")]
    return parse_yaml(text, display)


def parse_yaml(text: str, display: str) -> tuple[YNode | None, list[Problem]]:
    """Parse YAML text (a map file's, or a `cjm` block's) under the same bounds: aliases,
    nesting, tags and duplicate keys. The caller bounds the text's size."""

    def problem(line: int, column: int, message: str, suggestion: str | None = None) -> Problem:
        return Problem(display, line, column, "", message, suggestion=suggestion)

    try:
        composed = _libyaml_compose(text)
        if composed is not None:
            loader, root = composed
        else:
            loader = _SafeLoader(text)
            try:
                root = loader.get_single_node()
            finally:
                loader.dispose()
    except _TooDeep as exc:
        return None, [
            problem(
                exc.mark.line + 1,
                exc.mark.column + 1,
                f"lists and mappings are nested more than {MAX_DEPTH} levels deep",
                "flatten the structure",
            )
        ]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        return None, [problem(line, column, *describe_syntax_error(exc))]
    except yaml.reader.ReaderError as exc:
        line, column = _line_column(text, exc.position)
        character = exc.character
        shown = f"U+{character:04X}" if isinstance(character, int) else repr(character)
        return None, [
            problem(
                line,
                column,
                f"the file contains the control character {shown}, which YAML does not allow",
                "delete it; it is often invisible, so retype the text around it",
            )
        ]
    except yaml.YAMLError as exc:
        return None, [problem(0, 0, f"YAML error: {exc}")]

    if root is None:
        return YNode(None, 1, 1), []

    def rejected(exc: _Reject) -> Problem:
        node = exc.node or root
        mark = node.start_mark
        return Problem(
            display,
            mark.line + 1,
            mark.column + 1,
            exc.path,
            exc.message,
            suggestion=exc.suggestion,
        )

    converter = _Converter(loader.alias_nodes)
    try:
        tree = converter.convert(root, "")
    except _Reject as exc:
        return None, [*map(rejected, converter.duplicates), rejected(exc)]
    if converter.duplicates:
        return None, [rejected(exc) for exc in converter.duplicates]
    return tree, []


def _line_column(text: str, position: int) -> tuple[int, int]:
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


_WIDE_BOMS = (
    # UTF-32 LE starts with the UTF-16 LE mark, so it is tried first.
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _decode(data: bytes) -> str | tuple[int, int, str]:
    """The text of a UTF-8 file (BOM dropped), or where and why it is not UTF-8."""
    for bom, name in _WIDE_BOMS:
        if data.startswith(bom):
            return 1, 1, f"the file is encoded as {name}, not UTF-8"
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        if line_start == 0 and data.startswith(codecs.BOM_UTF8):
            line_start = len(codecs.BOM_UTF8)
        line = data.count(b"\n", 0, exc.start) + 1
        # Count characters, not bytes, before the bad byte on its line.
        column = len(data[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        byte = data[exc.start]
        return line, column, f"the file is not UTF-8: byte 0x{byte:02X} is not valid UTF-8"


class _Converter:
    """Turns composed YAML nodes into YNodes, bounding the work aliases can cause."""

    def __init__(self, alias_nodes: set[int]) -> None:
        self._alias_nodes = alias_nodes
        self._alias_values = 0
        # The outermost alias being expanded: where an alias bomb is reported.
        self._expanding: tuple[Node, str] | None = None
        self._constructor = SafeConstructor()
        # Duplicate keys do not stop reading, so one run reports all of them.
        self.duplicates: list[_Reject] = []

    def convert(self, node: Node, path: str, depth: int = 0) -> YNode:
        if self._expanding is None and id(node) in self._alias_nodes:
            self._expanding = (node, path)
            try:
                return self._convert(node, path, depth)
            finally:
                self._expanding = None
        return self._convert(node, path, depth)

    def _convert(self, node: Node, path: str, depth: int) -> YNode:
        if self._expanding is not None:
            self._alias_values += 1
            if self._alias_values > MAX_ALIAS_VALUES:
                alias, alias_path = self._expanding
                raise _Reject(
                    alias,
                    f"the aliases in this file expand to more than {MAX_ALIAS_VALUES:,} values; "
                    "refused as a possible alias bomb",
                    "write the values out instead of nesting aliases",
                    alias_path,
                )
        if depth > MAX_DEPTH:
            # Only aliases can get here: composing already bounds the written nesting.
            raise _Reject(
                node,
                f"aliases nest lists and mappings more than {MAX_DEPTH} levels deep",
                "write the values out instead of nesting aliases",
                path,
            )
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
        if _SURROGATE.search(node.value):
            raise _Reject(
                node,
                "the text holds an escape between \\ud800 and \\udfff (half of a UTF-16 pair), "
                "which is not a character",
                "write the character itself, or its \\U escape (\\U0001F600 for 😀)",
                path,
            )
        if node.tag == f"{_TAG}timestamp":
            return str(node.value)  # a date is text to a journey map, shown as written
        try:
            return self._constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError, KeyError, TypeError) as exc:
            # Only explicit tags get here (`!!int abc`, `!!bool maybe`).
            shown = node.tag.replace(_TAG, "!!")
            raise _Reject(
                node,
                f"'{excerpt(node.value)}' is not a valid {shown} value",
                "remove the tag",
                path,
            ) from exc

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
                            "a merge key (<<) needs an alias of a mapping, or a list of them",
                            "write '<<: *name' where '&name' marks a mapping",
                            path,
                        )
                    merged.append(item)
                continue
            if not isinstance(key_node, ScalarNode):
                raise _Reject(
                    key_node,
                    "a mapping key must be a plain value, not a list or mapping",
                    None,
                    path,
                )
            self._scalar(key_node, path)  # refuses tagged keys
            key = str(key_node.value)
            key_path = f"{path}.{key}" if path else key
            if key in result.value:
                first_line = result.key_positions[key][0]
                self.duplicates.append(
                    _Reject(
                        key_node,
                        f"duplicate key '{excerpt(key)}' (first given on line {first_line})",
                        "remove one of them: YAML would silently keep only the last",
                        f"{path}.{excerpt(key)}" if path else excerpt(key),
                    )
                )
                continue
            result.key_positions[key] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            result.value[key] = self.convert(value_node, key_path, depth + 1)
        for source in merged:
            for key, value in source.value.items():
                if key not in result.value:
                    result.value[key] = value
                    result.key_positions[key] = source.key_positions[key]
        return result
