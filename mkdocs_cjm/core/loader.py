"""Files under `maps/` -> a validated `Playbook`, or every problem found on the way.

Reading is in three passes so one run reports everything: each file is parsed
(`yamlsafe`), checked against the format (`schema`), then references between
files are resolved. A file with errors is still checked as far as it can be,
and an id that is declared but broken still counts as declared, so one mistake
is reported once rather than again at every place that refers to it.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from mkdocs_cjm.core import schema
from mkdocs_cjm.core.metrics import apply_metrics, metrics_files
from mkdocs_cjm.core.model import (
    DEFAULT_PHASES,
    Channel,
    ChannelType,
    Evidence,
    Journey,
    Kpi,
    Persona,
    Phase,
    Playbook,
    Source,
    Stage,
    Step,
)
from mkdocs_cjm.core.pages import RESERVED_IDS
from mkdocs_cjm.core.problems import MapError, Problem, Severity, did_you_mean
from mkdocs_cjm.core.yamlsafe import DEFAULT_MAX_FILE_BYTES, YNode, read_yaml

RESERVED_PHASE_IDS = ("none", "start")
YAML_SUFFIXES = (".yml", ".yaml")  # compared in lower case: `x.YML` is read too
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


@dataclass
class LoadResult:
    playbook: Playbook | None
    problems: list[Problem]
    # Every file the load read (maps, metrics): what a cache of its result depends on.
    inputs: tuple[Path, ...] = ()

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    def raise_for_errors(self) -> Playbook:
        if self.errors or self.playbook is None:
            raise MapError(self.problems)
        return self.playbook


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
class _FileCheck:
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


@dataclass
class _Channels:
    """What journeys may name as a channel."""

    by_id: dict[str, Channel] = field(default_factory=dict)
    # Declared ids, including channels with errors of their own (reported in channels.yml).
    declared: set[str] = field(default_factory=set)
    file: str | None = None
    # channels.yml could not be read as a mapping: no reference to it can be judged.
    unreadable: bool = False
    # Where channels.yml names an owner: for the warning about names differing in case.
    owners: list[_OwnerUse] = field(default_factory=list)


@dataclass
class _Phases:
    """What a stage's `phase:` may name."""

    phases: tuple[Phase, ...] = DEFAULT_PHASES
    # Declared ids (phases with errors of their own too); None when some are unreadable.
    declared: set[str] | None = field(
        default_factory=lambda: {phase.id for phase in DEFAULT_PHASES}
    )
    file: str | None = None  # playbook.yml, when there is one


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
        self.journeys: dict[str, _CachedJourney] = {}
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
class _CachedJourney:
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


class _Loader:
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
        self.channels = _Channels()
        self.personas: dict[str, Persona] = {}
        self.phases = _Phases()

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

    def read(self, path: Path, kind: schema.Kind) -> tuple[Any, _FileCheck]:
        value, check = self.read_cached(path, kind)
        self.values_read.append(value)
        return value, check

    def read_cached(self, path: Path, kind: schema.Kind) -> tuple[Any, _FileCheck]:
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
            check = _FileCheck(
                key[0], self.options.strict, list(cached.problems), today=self.options.today
            )
            check.positions = dict(cached.positions)
            return cached.value, check
        value, check = self.read_checked(path, kind)
        self.cache.put(
            key, _CachedRead(digest, value, tuple(check.problems), dict(check.positions))
        )
        return value, check

    def read_checked(self, path: Path, kind: schema.Kind) -> tuple[Any, _FileCheck]:
        check = _FileCheck(self.display(path), self.options.strict, today=self.options.today)
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

    def load(self) -> LoadResult:
        if not self.maps_dir.is_dir():
            self.problems.append(
                Problem(
                    self.display(self.maps_dir),
                    0,
                    0,
                    "",
                    "the maps folder does not exist",
                    suggestion="create it, or set the plugin option maps_dir",
                )
            )
            return LoadResult(None, self.problems)

        phases = self.phases = self.load_phases()
        channels = self.channels = self.load_channels()
        personas = self.personas = self.load_personas()
        # With a cache, the very values read: a journey built from the same values is reused.
        context = tuple(self.values_read)
        journeys = []
        checks: dict[str, tuple[dict[str, Any] | None, _FileCheck]] = {}
        for journey_id, path in self.files(self.maps_dir / "journeys").items():
            raw, check = self.read(path, schema.JOURNEY_FILE)
            checks[journey_id] = (raw, check)
        _check_futures(checks)
        self.problems.extend(_owner_case_warnings(channels.owners, checks))
        for journey_id, (raw, check) in checks.items():
            if raw is not None and (journey := self.build(journey_id, raw, check, context)):
                journeys.append(journey)
            self.problems.extend(check.problems)
        playbook = Playbook(
            channels=tuple(sorted(channels.by_id.values(), key=lambda c: c.id)),
            personas=tuple(sorted(personas.values(), key=lambda p: p.id)),
            journeys=tuple(sorted(journeys, key=lambda j: j.id)),
            phases=phases.phases,
        )
        playbook = self.load_metrics(playbook, set(checks))
        if self.cache is not None:
            self.cache.end_load()
        return LoadResult(
            playbook, sorted(self.problems, key=lambda p: p.sort_key), tuple(self.files_read)
        )

    def build(
        self, journey_id: str, raw: dict[str, Any], check: _FileCheck, context: tuple[Any, ...]
    ) -> Journey | None:
        """The journey of a checked file (its problems added to `check`)."""
        if self.cache is None:
            return _JourneyBuilder(
                journey_id, raw, check, self.channels, self.personas, self.phases
            ).build()
        inputs = (raw, *context)
        cached = self.cache.journeys.get(check.display)
        if cached is not None and cached.fits(inputs, check.problems):
            check.problems[:] = list(cached.problems)
            return cached.journey
        before = tuple(check.problems)
        journey = _JourneyBuilder(
            journey_id, raw, check, self.channels, self.personas, self.phases
        ).build()
        self.cache.journeys[check.display] = _CachedJourney(
            inputs, before, journey, tuple(check.problems)
        )
        return journey

    def load_metrics(self, playbook: Playbook, declared_journeys: set[str]) -> Playbook:
        contents: list[tuple[str, bytes]] = []
        for path in metrics_files(self.maps_dir):
            if path.name.startswith("."):
                continue  # hidden, as for the YAML files (macOS's `._x.csv`)
            if not self.inside(path):
                self.problems.append(self.outside(path))
                continue
            self.files_read.append(path)
            try:
                contents.append((self.display(path), path.read_bytes()))
            except OSError as exc:
                message = f"cannot read the file: {exc.strerror or exc}"
                self.problems.append(Problem(self.display(path), 0, 0, "", message))
        playbook, problems = apply_metrics(
            playbook, contents, declared_journeys, self.options.today
        )
        self.problems.extend(problems)
        return playbook

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

    def load_phases(self) -> _Phases:
        """The lifecycle's phases from playbook.yml, in order; the defaults without it."""
        file = self.single_file("playbook", "keep only one playbook file")
        if file is None:
            return _Phases()
        data, check = self.read(file, schema.PLAYBOOK_FILE)
        found = _Phases(file=check.display)
        raw_phases = (data or {}).get("phases")
        if data is None or ("phases" in data and raw_phases is None):
            found.declared = None  # unreadable: no stage's phase can be judged
        elif raw_phases is not None:
            found.declared = set()  # the playbook's phases replace the defaults
            phases: list[Phase] = []
            first: dict[str, int] = {}
            for index, raw in enumerate(raw_phases):
                phase_id = raw.get("id") if isinstance(raw, dict) else None
                if phase_id is None:
                    found.declared = None
                    continue
                if phase_id in first:
                    check.add(
                        f"phases[{index}].id",
                        f"duplicate phase id '{phase_id}' (also phases[{first[phase_id]}])",
                        "give each phase a unique id",
                    )
                    continue
                if phase_id in RESERVED_PHASE_IDS:
                    # Pages mark stages without a phase `data-phase="none"` and a phase's
                    # first stage with the class `cjm-phase-start`.
                    check.add(
                        f"phases[{index}].id",
                        f"the phase id '{phase_id}' is reserved: the pages use it for "
                        + (
                            "stages without a phase"
                            if phase_id == "none"
                            else "a phase's first stage"
                        ),
                        f"choose another id, e.g. '{phase_id}-phase'",
                    )
                first[phase_id] = index
                if found.declared is not None:
                    found.declared.add(phase_id)
                if raw.get("label"):
                    phases.append(Phase(phase_id, raw["label"], raw.get("description")))
            found.phases = tuple(phases) if phases else DEFAULT_PHASES
            if not phases:
                found.declared = None
        self.problems.extend(check.problems)
        return found

    def load_channels(self) -> _Channels:
        file = self.single_file("channels", "keep only one channel registry")
        if file is None:
            return _Channels()
        data, check = self.read(file, schema.CHANNELS_FILE)
        self.problems.extend(check.problems)
        channels = _Channels(file=check.display, unreadable=data is None)
        for channel_id, raw in (data or {}).items():
            if not is_id(channel_id):
                continue
            if channel_id in RESERVED_IDS:
                check.add(
                    channel_id,
                    reserved_id_message(channel_id, "channels"),
                    f"choose another id, e.g. '{channel_id}-channel'",
                )
                self.problems.append(check.problems[-1])
                channels.declared.add(channel_id)  # known, so its uses get no second error
                continue
            channels.declared.add(channel_id)
            if not raw or not raw.get("name") or raw.get("type") is None:
                continue
            channels.by_id[channel_id] = Channel(
                id=channel_id,
                name=raw["name"],
                type=ChannelType(raw["type"]),
                owner=team_name(raw.get("owner")),
                description=raw.get("description"),
                source=Source(check.display, check.positions[channel_id][0]),
            )
            owner = channels.by_id[channel_id].owner
            if owner:
                line, column = check.positions.get(f"{channel_id}.owner", (0, 0))
                channels.owners.append(
                    _OwnerUse(owner, check.display, line, column, f"{channel_id}.owner")
                )
        return channels

    def load_personas(self) -> dict[str, Persona]:
        personas = {}
        for persona_id, path in self.files(self.maps_dir / "personas").items():
            raw, check = self.read(path, schema.PERSONA_FILE)
            self.problems.extend(check.problems)
            if raw is None or not raw.get("name"):
                # Still known as an id, so journeys naming it get no second error.
                personas[persona_id] = Persona(persona_id, persona_id, source=Source(check.display))
                continue
            personas[persona_id] = Persona(
                id=persona_id,
                name=raw["name"],
                tagline=raw.get("tagline"),
                description=raw.get("description"),
                goals=_texts(raw.get("goals")),
                frustrations=_texts(raw.get("frustrations")),
                traits=tuple(
                    (label, value)
                    for label, value in (raw.get("traits") or {}).items()
                    if value is not None
                ),
                reviewed=raw.get("reviewed"),
                source=Source(check.display, 1),
            )
        return personas


def _check_futures(checks: dict[str, tuple[dict[str, Any] | None, _FileCheck]]) -> None:
    """`future_of` names another journey, not itself, and never leads round in a circle."""
    future_of: dict[str, str] = {}
    for journey_id, (raw, check) in checks.items():
        target = (raw or {}).get("future_of")
        if not target:
            continue
        if target == journey_id:
            check.add(
                "future_of",
                f"the journey '{journey_id}' names itself as the journey it is the future of",
                "name the current journey's id, or remove future_of",
            )
        elif target not in checks:
            names = sorted(set(checks) - {journey_id})  # never itself: that is an error too
            check.add(
                "future_of",
                f"unknown journey '{target}'; expected a journey id from journeys/"
                + (f" ({_listing(names)})" if names else ""),
                did_you_mean(target, names) or f"create journeys/{target}.yml, or fix the id",
            )
        else:
            future_of[journey_id] = target
    reported: set[str] = set()
    for start in sorted(future_of):
        path = [start]
        while (following := future_of.get(path[-1])) is not None and following not in path:
            path.append(following)
        if following is None or following != start or start in reported:
            continue
        reported.update(path)
        circle = " -> ".join([*path, start])
        checks[start][1].add(
            "future_of",
            f"future_of goes round in a circle: {circle}",
            "a future journey cannot also be the current state of its own current journey; "
            "remove future_of from one of them",
        )


def team_name(value: str | None) -> str | None:
    """An owner as one team: composed (NFC) and single-spaced, so "Chăm sóc" typed on a
    Mac (NFD) or with a double space is the same team, not a second page."""
    if not value:
        return None
    return " ".join(unicodedata.normalize("NFC", value).split()) or None


@dataclass(frozen=True)
class _OwnerUse:
    name: str  # as `team_name` makes it
    file: str
    line: int
    column: int
    key_path: str

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" + (f":{self.column}" if self.column else "")


def _owner_case_warnings(
    channel_owners: list[_OwnerUse],
    checks: dict[str, tuple[dict[str, Any] | None, _FileCheck]],
) -> list[Problem]:
    """A warning for each owner name that differs from an earlier one only in case
    ("Customer care" after "Customer Care"): two teams an author meant as one."""
    uses = list(channel_owners)
    for raw, check in checks.values():
        if not isinstance(raw, dict):
            continue
        named = [("owner", raw.get("owner"))]
        steps = raw.get("steps")
        for index, step in enumerate(steps if isinstance(steps, list) else []):
            if isinstance(step, dict):
                named.append((f"steps[{index}].owner", step.get("owner")))
        for key_path, value in named:
            name = team_name(value) if isinstance(value, str) else None
            if name:
                line, column = check.positions.get(key_path, (0, 0))
                uses.append(_OwnerUse(name, check.display, line, column, key_path))
    first_of: dict[str, _OwnerUse] = {}  # by casefolded name: the first spelling seen
    warned: set[str] = set()
    problems = []
    for use in sorted(uses, key=lambda use: (use.file, use.line, use.column)):
        first = first_of.setdefault(use.name.casefold(), use)
        if first.name == use.name or use.name in warned:
            continue
        warned.add(use.name)
        problems.append(
            Problem(
                use.file,
                use.line,
                use.column,
                use.key_path,
                f"the team '{use.name}' differs only in case from '{first.name}' "
                f"({first.where}): they make two teams, each with its own page",
                Severity.WARNING,
                f"write the name the same way everywhere, e.g. '{first.name}'",
            )
        )
    return problems


def reserved_id_message(item_id: str, folder: str) -> str:
    return (
        f"the id '{item_id}' is reserved: {folder}/{item_id}.md is the page listing all "
        f"{folder}, which a {folder.rstrip('s')} page of that name would replace"
    )


def _texts(values: list[Any] | None) -> tuple[str, ...]:
    return tuple(value for value in values or () if value)


def _listing(names: list[str]) -> str:
    return ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")


class _JourneyBuilder:
    """Resolves a checked journey's references and defaults into a `Journey`."""

    def __init__(
        self,
        journey_id: str,
        raw: dict[str, Any],
        check: _FileCheck,
        channels: _Channels,
        personas: dict[str, Persona],
        phases: _Phases,
    ) -> None:
        self.id = journey_id
        self.raw = raw
        self.check = check
        self.channels = channels
        self.personas = personas
        self.phases = phases

    def reference(
        self,
        path: str,
        value: str,
        known: set[str] | dict[str, Any] | list[str],
        what: str,
        where: str,
        otherwise: str | None = None,
    ) -> bool:
        """Whether `value` names something known; if not, say so with the nearest name."""
        if value in known:
            return True
        names = sorted(known)
        expected = f"expected {where}" + (f" ({_listing(names)})" if names else "")
        self.check.add(
            path, f"unknown {what} '{value}'; {expected}", did_you_mean(value, names) or otherwise
        )
        return False

    def build(self) -> Journey | None:
        raw, check = self.raw, self.check
        persona_ids = self.persona_ids()
        stage_ids, stages = self.stages()
        steps_raw = raw.get("steps") or []
        step_ids = self.step_ids(steps_raw)
        steps = []
        for index, step in enumerate(steps_raw):
            if isinstance(step, dict):
                built = self.step(index, step, steps_raw, stage_ids, step_ids)
                if built is not None:
                    steps.append(built)
        if step_ids is not None and not check.failed:
            self.branch_fall_through(steps_raw, step_ids)
        if check.failed or not raw.get("title"):
            return None
        return Journey(
            id=self.id,
            title=raw["title"],
            personas=persona_ids,
            stages=tuple(stages),
            steps=tuple(steps),
            owner=team_name(raw.get("owner")),
            summary=raw.get("summary"),
            reviewed=raw.get("reviewed"),
            future_of=raw.get("future_of"),
            source=Source(check.display, 1),
        )

    def branch_fall_through(self, steps_raw: list[Any], step_ids: dict[str, int]) -> None:
        """Warn where a branch of a fork ends without `next` just before another branch of
        the same fork: by list order the flow would go on into that other branch.

        A fork is a step whose `next` names two or more steps (its branches). A branch is
        every step reached from one of them without entering the fork or another of its
        branches. A step of it without `next` whose next step in the list is another
        branch falls through into it: a path no customer takes, unless said with `next`.
        """

        def explicit(index: int) -> list[int] | None:
            step = steps_raw[index]
            targets = step.get("next") if isinstance(step, dict) else None
            if targets is None:
                return None
            return [step_ids[t] for t in targets if isinstance(t, str) and t in step_ids]

        def successors(index: int) -> list[int]:
            targets = explicit(index)
            if targets is not None:
                return targets
            return [index + 1] if index + 1 < len(steps_raw) else []

        def step_id(index: int) -> str:
            step = steps_raw[index]
            return (step.get("id") if isinstance(step, dict) else None) or f"step-{index + 1}"

        warned: set[int] = set()
        for fork in range(len(steps_raw)):
            branches = list(dict.fromkeys(explicit(fork) or ()))
            if len(branches) < 2:
                continue
            for branch in branches:
                others = set(branches) - {branch}
                seen, todo = {branch}, [branch]
                while todo:
                    index = todo.pop()
                    following = index + 1
                    if explicit(index) is None and following in others and index not in warned:
                        warned.add(index)
                        self.check.add(
                            f"steps[{index}]",
                            f"the step '{step_id(index)}' ends the branch '{step_id(branch)}' "
                            f"of the fork at '{step_id(fork)}' without next, so the flow goes "
                            f"on to '{step_id(following)}', the fork's other branch: a path "
                            "nobody takes",
                            "say where it leads: next: [<step id>], or next: [] if the "
                            "journey ends here",
                            severity=Severity.WARNING,
                        )
                    for target in successors(index):
                        if target not in seen and target != fork and target not in others:
                            seen.add(target)
                            todo.append(target)

    def persona_ids(self) -> tuple[str, ...]:
        raw = self.raw
        given = [("persona", raw["persona"])] if raw.get("persona") else []
        given += [
            (f"personas[{index}]", persona_id)
            for index, persona_id in enumerate(raw.get("personas") or [])
            if persona_id
        ]
        ids = [
            persona_id
            for path, persona_id in given
            if self.reference(
                path,
                persona_id,
                self.personas,
                "persona",
                "a persona id from personas/",
                f"create personas/{persona_id}.yml, or fix the id",
            )
        ]
        return tuple(dict.fromkeys(ids))

    def stages(self) -> tuple[set[str] | None, list[Stage]]:
        """Declared stage ids (None when some are unreadable) and the complete stages."""
        stages_raw = self.raw.get("stages")
        declared: set[str] | None = set() if stages_raw is not None else None
        stages: list[Stage] = []
        seen: dict[str, int] = {}
        for index, raw in enumerate(stages_raw or []):
            stage_id = raw.get("id") if isinstance(raw, dict) else None
            if stage_id is None:
                declared = None  # a stage without a readable id: references cannot be judged
                continue
            if declared is not None:
                declared.add(stage_id)
            if stage_id in seen:
                self.check.add(
                    f"stages[{index}].id",
                    f"duplicate stage id '{stage_id}' (also stages[{seen[stage_id]}])",
                    "give each stage a unique id",
                )
                continue
            seen[stage_id] = index
            self.unique_kpi_names(index, raw.get("kpis") or [])
            self.known_phase(index, raw.get("phase"))
            if not raw.get("name"):
                continue
            kpis = tuple(
                Kpi(
                    name=kpi["name"],
                    target=kpi.get("target"),
                    actual=kpi.get("actual"),
                    higher_is_better=kpi.get("higher_is_better", True),
                    id=kpi.get("id"),
                    actual_line=self.check.positions.get(
                        f"stages[{index}].kpis[{kpi_index}].actual", (0, 0)
                    )[0],
                )
                for kpi_index, kpi in enumerate(raw.get("kpis") or ())
                if kpi and kpi.get("name")
            )
            stages.append(
                Stage(
                    id=stage_id,
                    name=raw["name"],
                    description=raw.get("description"),
                    goals=_texts(raw.get("goals")),
                    kpis=kpis,
                    phase=raw.get("phase") or None,
                )
            )
        return declared, stages

    def known_phase(self, stage_index: int, phase_id: str | None) -> None:
        """A stage's phase names one of the playbook's phases (or a default one)."""
        declared = self.phases.declared
        if not phase_id or declared is None:
            return
        if self.phases.file is None:
            where = "a phase id (maps/playbook.yml can list the playbook's own phases)"
            otherwise = "use before, during or after, or list your phases in maps/playbook.yml"
        else:
            where = f"a phase id from {posixpath.basename(self.phases.file)}"
            otherwise = f"add '{phase_id}' to the phases in {self.phases.file}, or fix the id"
        self.reference(
            f"stages[{stage_index}].phase", phase_id, declared, "phase", where, otherwise
        )

    def unique_kpi_names(self, stage_index: int, kpis_raw: list[Any]) -> None:
        """Two KPIs of one name in a stage: a metrics row naming it could mean either."""
        first: dict[str, int] = {}
        for index, kpi in enumerate(kpis_raw):
            name = kpi.get("name") if isinstance(kpi, dict) else None
            if not isinstance(name, str):
                continue
            path = f"stages[{stage_index}].kpis"
            if name in first:
                self.check.add(
                    f"{path}[{index}].name",
                    f"a second KPI named '{name}' in the stage "
                    f"'{self.raw['stages'][stage_index].get('id')}' "
                    f"(the first is {path}[{first[name]}])",
                    "give each KPI of a stage its own name",
                )
            else:
                first[name] = index

    def step_ids(self, steps_raw: list[Any]) -> dict[str, int] | None:
        """Step ids (explicit or step-<n>) by index; None when some id is unreadable."""
        step_ids: dict[str, int] = {}
        complete = True
        for index, step in enumerate(steps_raw):
            if not isinstance(step, dict):
                continue
            if "id" in step and step["id"] is None:
                complete = False  # written, but not a valid id (already reported)
                continue
            step_id = step.get("id") or f"step-{index + 1}"
            if step_id not in step_ids:
                step_ids[step_id] = index
                continue
            first = step_ids[step_id]
            if not step.get("id"):
                message = (
                    f"duplicate step id '{step_id}' (also steps[{first}]): "
                    f"a step without an id is named step-<n>"
                )
            elif not steps_raw[first].get("id"):
                message = (
                    f"duplicate step id '{step_id}': steps[{first}] has no id, "
                    f"so it is already named {step_id}"
                )
            else:
                message = f"duplicate step id '{step_id}' (also steps[{first}])"
            self.check.add(
                f"steps[{index}].id" if step.get("id") else f"steps[{index}]",
                message,
                "give each step a unique id",
            )
        return step_ids if complete else None

    def step(
        self,
        index: int,
        raw: dict[str, Any],
        steps_raw: list[Any],
        stage_ids: set[str] | None,
        step_ids: dict[str, int] | None,
    ) -> Step | None:
        path = f"steps[{index}]"
        ok = True
        if raw.get("stage") and stage_ids is not None:
            ok &= self.reference(
                f"{path}.stage", raw["stage"], stage_ids, "stage", "a stage id of this journey"
            )
        channel = None
        channel_id = raw.get("channel")
        if channel_id:
            if self.channels.file is None:
                self.check.add(
                    f"{path}.channel",
                    f"unknown channel '{channel_id}': there is no channels.yml",
                    "create channels.yml in the maps folder and describe each channel there",
                )
                ok = False
            elif not self.channels.unreadable and self.reference(
                f"{path}.channel",
                channel_id,
                self.channels.declared,
                "channel",
                # The display path is POSIX; `Path()` per step was a tenth of a cached load.
                f"a channel id from {posixpath.basename(self.channels.file)}",
            ):
                channel = self.channels.by_id.get(channel_id)
        for target_index, target in enumerate(raw.get("next") or []):
            if target and step_ids is not None:
                ok &= self.reference(
                    f"{path}.next[{target_index}]",
                    target,
                    step_ids,
                    "step",
                    "a step id of this journey",
                )
        if raw.get("source") and not raw.get("evidence"):
            self.check.add(
                f"{path}.source",
                "a source without 'evidence:'; the source is shown only with an evidence badge",
                "add 'evidence: observed', 'reported' or 'assumed'",
                severity=Severity.WARNING,
            )
        if not ok or channel is None or not raw.get("stage") or not raw.get("action"):
            return None
        if raw.get("next") is not None:
            next_ids = tuple(dict.fromkeys(target for target in raw["next"] if target))
        elif index + 1 < len(steps_raw) and isinstance(steps_raw[index + 1], dict):
            next_ids = (steps_raw[index + 1].get("id") or f"step-{index + 2}",)
        else:
            next_ids = ()
        return Step(
            id=raw.get("id") or f"step-{index + 1}",
            index=index + 1,
            stage=raw["stage"],
            channel=channel.id,
            touchpoint=raw.get("touchpoint") or channel.name,
            action=raw["action"],
            services=_texts(raw.get("services")),
            emotion=raw.get("emotion"),
            feeling=raw.get("feeling"),
            thought=raw.get("thought"),
            pain_points=_texts(raw.get("pain_points")),
            opportunities=_texts(raw.get("opportunities")),
            owner=team_name(raw.get("owner")) or channel.owner,
            next=next_ids,
            evidence=Evidence(raw["evidence"]) if raw.get("evidence") else None,
            evidence_source=raw.get("source"),
            milestone=raw.get("milestone") is True,
        )


def load_playbook(
    maps_dir: Path,
    *,
    display_root: Path | None = None,
    options: LoadOptions | None = None,
    cache: ReadCache | None = None,
) -> LoadResult:
    """Read and check every map under `maps_dir`.

    Paths in problems are shown relative to `display_root` (the site's folder).
    With a `cache`, files unchanged since the load that filled it are not parsed again.
    """
    loader = _Loader(maps_dir, display_root or maps_dir.parent, options or LoadOptions(), cache)
    return loader.load()
