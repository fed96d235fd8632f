"""Files under `maps/` -> a validated `Playbook`, or every problem found on the way.

Reading is in three passes so one run reports everything: each file is parsed
(`yamlsafe`), checked against the format (`schema`), then references between
files are resolved. A file with errors is still checked as far as it can be,
and an id that is declared but broken still counts as declared, so one mistake
is reported once rather than again at every place that refers to it.

The parts: `checks` (a file's value against the schema), `mapfiles` (finding and
reading the files, path safety, the read cache), `records` (model records built
from the schema's fields) and `build` (a journey's references and defaults).
This module runs the load and the checks across files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs_cjm.core import schema
from mkdocs_cjm.core.build import (
    Channels,
    JourneyBuilder,
    OwnerUse,
    Phases,
    listing,
)
from mkdocs_cjm.core.checks import (
    FileCheck,
    LoadOptions,
    is_id,
    parse_date,
    suggest_id,
)
from mkdocs_cjm.core.mapfiles import (
    YAML_SUFFIXES,
    CachedJourney,
    MapFiles,
    ReadCache,
    reserved_id_message,
)
from mkdocs_cjm.core.metrics import apply_metrics, metrics_files
from mkdocs_cjm.core.model import (
    DEFAULT_PHASES,
    Channel,
    Journey,
    Persona,
    Phase,
    Playbook,
    Source,
)
from mkdocs_cjm.core.pages import RESERVED_IDS
from mkdocs_cjm.core.problems import MapError, Problem, Severity, did_you_mean
from mkdocs_cjm.core.records import team_name, values

# The names other modules import from here, wherever they are defined.
__all__ = [
    "RESERVED_PHASE_IDS",
    "YAML_SUFFIXES",
    "FileCheck",
    "LoadOptions",
    "LoadResult",
    "ReadCache",
    "is_id",
    "load_playbook",
    "parse_date",
    "reserved_id_message",
    "suggest_id",
    "team_name",
]

RESERVED_PHASE_IDS = ("none", "start")


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


class _Loader(MapFiles):
    def __init__(
        self,
        maps_dir: Path,
        display_root: Path,
        options: LoadOptions,
        cache: ReadCache | None = None,
    ) -> None:
        super().__init__(maps_dir, display_root, options, cache)
        self.channels = Channels()
        self.personas: dict[str, Persona] = {}
        self.phases = Phases()

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
        checks: dict[str, tuple[dict[str, Any] | None, FileCheck]] = {}
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
        self, journey_id: str, raw: dict[str, Any], check: FileCheck, context: tuple[Any, ...]
    ) -> Journey | None:
        """The journey of a checked file (its problems added to `check`)."""
        if self.cache is None:
            return JourneyBuilder(
                journey_id, raw, check, self.channels, self.personas, self.phases
            ).build()
        inputs = (raw, *context)
        cached = self.cache.journeys.get(check.display)
        if cached is not None and cached.fits(inputs, check.problems):
            check.problems[:] = list(cached.problems)
            return cached.journey
        before = tuple(check.problems)
        journey = JourneyBuilder(
            journey_id, raw, check, self.channels, self.personas, self.phases
        ).build()
        self.cache.journeys[check.display] = CachedJourney(
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

    def load_phases(self) -> Phases:
        """The lifecycle's phases from playbook.yml, in order; the defaults without it."""
        file = self.single_file("playbook", "keep only one playbook file")
        if file is None:
            return Phases()
        data, check = self.read(file, schema.PLAYBOOK_FILE)
        found = Phases(file=check.display)
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
                    phases.append(Phase(**values(schema.PHASE, raw)))
            found.phases = tuple(phases) if phases else DEFAULT_PHASES
            if not phases:
                found.declared = None
        self.problems.extend(check.problems)
        return found

    def load_channels(self) -> Channels:
        file = self.single_file("channels", "keep only one channel registry")
        if file is None:
            return Channels()
        data, check = self.read(file, schema.CHANNELS_FILE)
        self.problems.extend(check.problems)
        channels = Channels(file=check.display, unreadable=data is None)
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
                **values(
                    schema.CHANNEL,
                    raw,
                    id=channel_id,
                    source=Source(check.display, check.positions[channel_id][0]),
                )
            )
            owner = channels.by_id[channel_id].owner
            if owner:
                line, column = check.positions.get(f"{channel_id}.owner", (0, 0))
                channels.owners.append(
                    OwnerUse(owner, check.display, line, column, f"{channel_id}.owner")
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
                **values(schema.PERSONA_FILE, raw, id=persona_id, source=Source(check.display, 1))
            )
        return personas


def _check_futures(checks: dict[str, tuple[dict[str, Any] | None, FileCheck]]) -> None:
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
                + (f" ({listing(names)})" if names else ""),
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


def _owner_case_warnings(
    channel_owners: list[OwnerUse],
    checks: dict[str, tuple[dict[str, Any] | None, FileCheck]],
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
                uses.append(OwnerUse(name, check.display, line, column, key_path))
    first_of: dict[str, OwnerUse] = {}  # by casefolded name: the first spelling seen
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
