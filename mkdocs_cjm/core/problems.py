"""What is wrong with a map, said so that its author can fix it without reading code."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One finding: where (file, line, column, key path), what, and how to fix it.

    Lines and columns are 1-based; 0 means the position is not known (a missing file).
    """

    file: str
    line: int
    column: int
    key_path: str
    message: str
    severity: Severity = Severity.ERROR
    suggestion: str | None = None

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.column, self.message)

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}:{self.column}"
        text = f"{where}: {self.severity.value}: "
        if self.key_path:
            text += f"{self.key_path}: "
        text += self.message
        if self.suggestion:
            text += f" ({self.suggestion})"
        # One line per problem, even when a key or value quoted in it spans lines.
        return text.translate(_ONE_LINE)


# Every character str.splitlines() breaks on, and tabs, shown as escapes.
_ONE_LINE = str.maketrans(
    {
        char: char.encode("unicode_escape").decode("ascii")
        for char in "\t\n\x0b\x0c\r\x1c\x1d\x1e\x85\u2028\u2029"
    }
)


MAX_REPORTED = 100


class MapError(Exception):
    """The maps have errors; `problems` lists every one of them (errors and warnings)."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems, key=lambda problem: problem.sort_key)
        super().__init__(self.report())

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    def report(self) -> str:
        return format_report(self.errors)


def format_report(problems: list[Problem]) -> str:
    """A numbered list of problems, capped so a broken playbook still prints readably."""
    count = len(problems)
    noun = "problem" if count == 1 else "problems"
    lines = [f"journey maps: {count} {noun} found:"]
    lines += [f"  {problem}" for problem in problems[:MAX_REPORTED]]
    if count > MAX_REPORTED:
        lines.append(f"  ... and {count - MAX_REPORTED} more (fix these first)")
    return "\n".join(lines)


def did_you_mean(found: str, candidates: Iterable[str]) -> str | None:
    """The suggestion text for the nearest candidate, if one is near enough."""
    matches = difflib.get_close_matches(found, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'?" if matches else None
