"""Finding and reading the map files: discovery, path safety and the read cache.

`MapFiles` lists a folder's map files (hidden and editors' files skipped, links
out of the maps folder refused before anything is read, file names checked as
ids) and reads each through `yamlsafe` and `checks.FileCheck`; with a
`ReadCache`, a file whose bytes did not change is not parsed again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs_cjm.core import schema
from mkdocs_cjm.core.checks import FileCheck, LoadOptions, is_id, suggest_id
from mkdocs_cjm.core.model import Journey
from mkdocs_cjm.core.pages import RESERVED_IDS
from mkdocs_cjm.core.problems import Problem
from mkdocs_cjm.core.yamlsafe import read_yaml

YAML_SUFFIXES = (".yml", ".yaml")  # compared in lower case: `x.YML` is read too


def reserved_id_message(item_id: str, folder: str) -> str:
    return (
        f"the id '{item_id}' is reserved: {folder}/{item_id}.md is the page listing all "
        f"{folder}, which a {folder.rstrip('s')} page of that name would replace"
    )


class ReadCache:
    """Checked map files by content, kept between loads (`mkdocs serve`'s rebuilds).

    Parsing and checking the YAML is most of a load; a file whose bytes are the
    same as last time gives the same value and problems without either. Entries
    of files that were not read by the last load are dropped.
    """

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], _CachedRead] = {}
        self._used: set[tuple[str, str]] = set()
        # Built journeys, by file: reused while the file, the channels and the personas
        # are the very values read last time.
        self.journeys: dict[str, CachedJourney] = {}
        self._read_again: list[str] = []
        self.read_again: list[str] = []  # files the last load parsed: new or changed

    def get(self, key: tuple[str, str], digest: bytes) -> _CachedRead | None:
        self._used.add(key)
        entry = self._entries.get(key)
        return entry if entry is not None and entry.digest == digest else None

    def put(self, key: tuple[str, str], entry: _CachedRead) -> None:
        self._used.add(key)
        self._entries[key] = entry
        self._read_again.append(key[0])

    def end_load(self) -> None:
        self._entries = {key: self._entries[key] for key in self._used if key in self._entries}
        files = {display for display, _ in self._used}
        self.journeys = {key: entry for key, entry in self.journeys.items() if key in files}
        self._used = set()
        self.read_again, self._read_again = self._read_again, []


@dataclass(frozen=True)
class CachedJourney:
    inputs: tuple[Any, ...]  # the journey's value, then the channels' and personas'
    problems_before: tuple[Problem, ...]
    journey: Journey | None
    problems: tuple[Problem, ...]

    def fits(self, inputs: tuple[Any, ...], problems: list[Problem]) -> bool:
        return (
            len(inputs) == len(self.inputs)
            and all(a is b for a, b in zip(inputs, self.inputs, strict=True))
            and tuple(problems) == self.problems_before
        )


@dataclass(frozen=True)
class _CachedRead:
    digest: bytes
    value: Any  # never changed by its readers
    problems: tuple[Problem, ...]
    positions: dict[str, tuple[int, int]]


class MapFiles:
    """The map files of one load: what was read, and the problems finding them."""

    def __init__(
        self,
        maps_dir: Path,
        display_root: Path,
        options: LoadOptions,
        cache: ReadCache | None = None,
    ) -> None:
        self.maps_dir = maps_dir
        self.display_root = display_root
        self.options = options
        self.cache = cache
        self.problems: list[Problem] = []
        self.values_read: list[Any] = []  # what `read` returned, in order
        self.files_read: list[Path] = []  # every file read: the inputs of the load

    def display(self, path: Path) -> str:
        try:
            return path.relative_to(self.display_root).as_posix()
        except ValueError:
            return path.as_posix()

    def inside(self, path: Path) -> bool:
        """Whether `path`, links followed, is inside the maps folder.

        A map reached through a link to elsewhere (`/etc/passwd`) is refused before
        it is read, so no message ever quotes a file the author did not put there.
        """
        try:
            return path.resolve().is_relative_to(self.maps_dir.resolve())
        except (OSError, RuntimeError):  # a link loop
            return False

    def outside(self, path: Path) -> Problem:
        return Problem(
            self.display(path),
            0,
            0,
            "",
            "is a link to a file or folder outside the maps folder; it is not read",
            suggestion="copy the file into the maps folder instead of linking to it",
        )

    def yaml_files(self, folder: Path, stem: str | None = None) -> list[Path]:
        """The map files of a folder, sorted, links out of the maps folder reported.

        Hidden files (`.x.yml`, macOS's `._x.yml`) are skipped, as editors' and
        systems' files (`x.yml~`, `.x.yml.swp`) already were by their suffix.
        """
        if not folder.is_dir():
            return []
        if not self.inside(folder):
            self.problems.append(self.outside(folder))
            return []
        try:
            paths = sorted(folder.iterdir())
        except OSError as exc:
            message = f"cannot read the folder: {exc.strerror or exc}"
            self.problems.append(Problem(self.display(folder), 0, 0, "", message))
            return []
        found = []
        for path in paths:
            if path.name.startswith(".") or path.suffix.lower() not in YAML_SUFFIXES:
                continue
            if stem is not None and path.stem != stem:
                continue
            if not self.inside(path):
                self.problems.append(self.outside(path))
            elif path.is_file():
                found.append(path)
        return found

    def files(self, folder: Path) -> dict[str, Path]:
        """YAML files of a folder by id (file stem); a stem given twice is an error."""
        found: dict[str, Path] = {}
        for path in self.yaml_files(folder):
            stem = path.stem
            if stem in found:
                self.problems.append(
                    Problem(
                        self.display(path),
                        0,
                        0,
                        "",
                        f"the id '{stem}' is also defined by {self.display(found[stem])}",
                        suggestion="keep only one of the two files",
                    )
                )
                continue
            if not is_id(stem):
                suggestion = suggest_id(stem)
                self.problems.append(
                    Problem(
                        self.display(path),
                        0,
                        0,
                        "",
                        f"the file name '{stem}' is not a valid id: file names are ids and use "
                        "only lowercase letters, digits and '-'",
                        suggestion=f"rename the file to '{suggestion}{path.suffix}'"
                        if suggestion
                        else None,
                    )
                )
                continue
            if stem in RESERVED_IDS:
                kind = folder.name.rstrip("s")
                self.problems.append(
                    Problem(
                        self.display(path),
                        0,
                        0,
                        "",
                        reserved_id_message(stem, folder.name),
                        suggestion=f"rename the file, e.g. to '{stem}-{kind}{path.suffix}'",
                    )
                )
                continue
            found[stem] = path
        return found

    def read(self, path: Path, kind: schema.Kind) -> tuple[Any, FileCheck]:
        value, check = self.read_cached(path, kind)
        self.values_read.append(value)
        return value, check

    def read_cached(self, path: Path, kind: schema.Kind) -> tuple[Any, FileCheck]:
        if self.cache is None:
            return self.read_checked(path, kind)
        try:
            with path.open("rb") as stream:
                digest = hashlib.blake2b(stream.read(self.options.max_file_bytes + 1)).digest()
        except OSError:
            return self.read_checked(path, kind)  # which says why it cannot be read
        key = (self.display(path), repr(self.options))  # the path says which kind of map it is
        if (cached := self.cache.get(key, digest)) is not None:
            self.files_read.append(path)
            check = FileCheck(
                key[0], self.options.strict, list(cached.problems), today=self.options.today
            )
            check.positions = dict(cached.positions)
            return cached.value, check
        value, check = self.read_checked(path, kind)
        self.cache.put(
            key, _CachedRead(digest, value, tuple(check.problems), dict(check.positions))
        )
        return value, check

    def read_checked(self, path: Path, kind: schema.Kind) -> tuple[Any, FileCheck]:
        check = FileCheck(self.display(path), self.options.strict, today=self.options.today)
        self.files_read.append(path)
        tree, problems = read_yaml(path, check.display, max_bytes=self.options.max_file_bytes)
        check.problems.extend(problems)
        if tree is None:
            return None, check
        check.positions[""] = (tree.line, tree.column)
        if tree.value is None:
            what = f"describing a {kind.name}" if isinstance(kind, schema.Record) else "of channels"
            check.add("", f"the file is empty; expected a mapping (key: value) {what}")
            return None, check
        return check.check(kind, tree, ""), check

    def single_file(self, stem: str, suggestion: str) -> Path | None:
        """The one `<stem>.yml`/`.yaml` in the maps folder (None if absent); a second
        spelling beside it is an error, and the first one found is read."""
        existing = self.yaml_files(self.maps_dir, stem=stem)
        if len(existing) > 1:
            self.problems.append(
                Problem(
                    self.display(existing[1]),
                    0,
                    0,
                    "",
                    f"both {existing[0].name} and {existing[1].name} exist",
                    suggestion=suggestion,
                )
            )
        return existing[0] if existing else None
