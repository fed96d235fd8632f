"""Files under `maps/` -> a validated `Playbook`, or every problem found on the way.

Reading is in three passes so one run reports everything: each file is parsed
(`yamlsafe`), checked against the format (`schema`), then references between
files are resolved. A file with errors is still checked as far as it can be.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import schema
from .model import Channel, ChannelType, Journey, Kpi, Persona, Playbook, Source, Stage, Step
from .problems import MapError, Problem, Severity, did_you_mean
from .yamlsafe import DEFAULT_MAX_FILE_BYTES, YNode, read_yaml

YAML_SUFFIXES = (".yml", ".yaml")
_ID = re.compile(schema.ID_PATTERN)


@dataclass(frozen=True)
class LoadOptions:
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    # Unknown keys are warnings by default; `strict` makes them errors.
    strict: bool = False


@dataclass
class LoadResult:
    playbook: Playbook | None
    problems: list[Problem]

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


@dataclass
class _FileCheck:
    """Validation state of one file: its problems and where each key path sits."""

    display: str
    strict: bool
    problems: list[Problem] = field(default_factory=list)
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)

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
            path = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", path)
            if path in self.positions:
                return self.positions[path]
            if "." not in path and "[" not in path:
                break
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
                if isinstance(value, str):
                    return value.rstrip() if kind.block else value.strip()
                hint = "put it in quotes" if isinstance(value, int | float) else None
                self.add(path, f"expected {expected}, found {_found(node)}", hint)
            case schema.Id():
                if isinstance(value, str) and _ID.match(value):
                    return value
                if isinstance(value, str):
                    self.add(
                        path,
                        f"{value!r} is not a valid id: use only lowercase letters, digits and '-'",
                        f"did you mean '{suggest_id(value)}'?" if suggest_id(value) else None,
                    )
                else:
                    self.add(path, f"expected {expected}, found {_found(node)}")
            case schema.Scalar():
                if isinstance(value, str | int | float) and value is not None:
                    return node.text.strip()
                self.add(path, f"expected {expected}, found {_found(node)}")
            case schema.Boolean():
                if isinstance(value, bool):
                    return value
                self.add(path, f"expected {expected}, found {_found(node)}")
            case schema.Integer(minimum, maximum):
                if isinstance(value, int) and not isinstance(value, bool):
                    if minimum <= value <= maximum:
                        return value
                    self.add(path, f"{value} is outside {minimum}..{maximum}; expected {expected}")
                else:
                    hint = "remove the quotes" if isinstance(value, str) and value.strip().isdigit() else None
                    self.add(path, f"expected {expected}, found {_found(node)}", hint)
            case schema.Choice(values):
                if isinstance(value, str) and value in values:
                    return value
                self.add(
                    path,
                    f"expected {expected}, found {_found(node)}",
                    did_you_mean(str(value), values) if isinstance(value, str) else None,
                )
            case schema.ListOf(item, min_items):
                if not isinstance(value, list):
                    self.add(path, f"expected {expected}, found {_found(node)}",
                             "write one item per line, each starting with '- '")
                    return None
                if len(value) < min_items:
                    self.add(path, f"expected at least {min_items} item(s), found an empty list")
                    return None
                items = [self.check(item, child, f"{path}[{i}]") for i, child in enumerate(value)]
                return items
            case schema.MapOf(value_kind, key_kind):
                if not isinstance(value, dict):
                    self.add(path, f"expected {expected}, found {_found(node)}")
                    return None
                result = {}
                for key, child in value.items():
                    child_path = f"{path}.{key}" if path else key
                    self.positions[child_path] = (child.line, child.column)
                    if isinstance(key_kind, schema.Id) and not _ID.match(key):
                        suggestion = suggest_id(key)
                        self.add(
                            child_path,
                            f"{key!r} is not a valid id: use only lowercase letters, digits and '-'",
                            f"did you mean '{suggestion}'?" if suggestion else None,
                        )
                    result[key] = self.check(value_kind, child, child_path)
                return result
            case schema.Record(name, fields):
                if not isinstance(value, dict):
                    self.add(path, f"expected {expected} describing a {name}, found {_found(node)}")
                    return None
                result = {}
                prefix = f"{path}." if path else ""
                for key, child in value.items():
                    key_at = node.key_positions[key]
                    if key not in fields:
                        self.add(
                            prefix + key,
                            f"unknown key '{key}' in a {name}",
                            did_you_mean(key, fields)
                            or f"expected one of: {', '.join(fields)}",
                            at=key_at,
                            severity=Severity.ERROR if self.strict else Severity.WARNING,
                        )
                        continue
                    self.positions[prefix + key] = (child.line, child.column)
                    if child.value is None and not fields[key].required:
                        continue  # `key:` with nothing after it means "not given"
                    result[key] = self.check(fields[key].kind, child, prefix + key)
                for key in kind.required:
                    if key not in value:
                        self.add(
                            prefix + key,
                            f"missing required key '{key}' in a {name}",
                            f"add '{key}:' ({schema.describe(fields[key].kind)})",
                            at=(node.line, node.column),
                        )
                    elif value[key].value is None:
                        self.add(prefix + key, f"'{key}' is required but empty")
                    elif isinstance(result.get(key), str) and not result[key]:
                        self.add(prefix + key, f"'{key}' is required but empty")
                return result
        return None


class _Loader:
    def __init__(self, maps_dir: Path, display_root: Path, options: LoadOptions) -> None:
        self.maps_dir = maps_dir
        self.display_root = display_root
        self.options = options
        self.problems: list[Problem] = []

    def display(self, path: Path) -> str:
        try:
            return path.relative_to(self.display_root).as_posix()
        except ValueError:
            return path.as_posix()

    def files(self, folder: Path) -> dict[str, Path]:
        """YAML files of a folder by id (file stem); a stem given twice is an error."""
        found: dict[str, Path] = {}
        if not folder.is_dir():
            return found
        for path in sorted(folder.iterdir()):
            if path.suffix not in YAML_SUFFIXES or not path.is_file():
                continue
            stem = path.stem
            if stem in found:
                self.problems.append(
                    Problem(self.display(path), 0, 0, "", f"id '{stem}' is also defined by "
                            f"{self.display(found[stem])}", suggestion="keep only one of the two files")
                )
                continue
            if not _ID.match(stem):
                self.problems.append(
                    Problem(self.display(path), 0, 0, "(file name)",
                            f"'{stem}' is not a valid id: file names are ids and use only "
                            "lowercase letters, digits and '-'",
                            suggestion=f"rename the file to '{suggest_id(stem)}{path.suffix}'")
                )
                continue
            found[stem] = path
        return found

    def read(self, path: Path, kind: schema.Kind) -> tuple[Any, _FileCheck]:
        check = _FileCheck(self.display(path), self.options.strict)
        tree, problems = read_yaml(path, check.display, max_bytes=self.options.max_file_bytes)
        check.problems.extend(problems)
        if tree is None:
            return None, check
        check.positions[""] = (tree.line, tree.column)
        if tree.value is None:
            check.add("", f"the file is empty; expected {schema.describe(kind)}")
            return None, check
        return check.check(kind, tree, ""), check

    def load(self) -> LoadResult:
        if not self.maps_dir.is_dir():
            self.problems.append(
                Problem(self.display(self.maps_dir), 0, 0, "", "the maps folder does not exist",
                        suggestion="create it, or set the plugin option maps_dir")
            )
            return LoadResult(None, self.problems)

        channels, channels_check = self.load_channels()
        personas = self.load_personas()
        journeys = [
            journey
            for journey_id, path in self.files(self.maps_dir / "journeys").items()
            if (journey := self.load_journey(journey_id, path, channels, channels_check, personas))
        ]
        playbook = Playbook(
            channels=tuple(sorted(channels.values(), key=lambda c: c.id)),
            personas=tuple(sorted(personas.values(), key=lambda p: p.id)),
            journeys=tuple(sorted(journeys, key=lambda j: j.id)),
        )
        return LoadResult(playbook, sorted(self.problems, key=lambda p: p.sort_key))

    def load_channels(self) -> tuple[dict[str, Channel], _FileCheck | None]:
        candidates = [self.maps_dir / f"channels{suffix}" for suffix in YAML_SUFFIXES]
        existing = [path for path in candidates if path.is_file()]
        if not existing:
            return {}, None
        if len(existing) > 1:
            self.problems.append(
                Problem(self.display(existing[1]), 0, 0, "", "both channels.yml and channels.yaml exist",
                        suggestion="keep only one channel registry")
            )
        data, check = self.read(existing[0], schema.CHANNELS_FILE)
        self.problems.extend(check.problems)
        channels = {}
        for channel_id, raw in (data or {}).items():
            if not raw or not raw.get("name") or raw.get("type") is None or not _ID.match(channel_id):
                continue
            channels[channel_id] = Channel(
                id=channel_id,
                name=raw["name"],
                type=ChannelType(raw["type"]),
                owner=raw.get("owner"),
                description=raw.get("description"),
                source=Source(check.display, check.positions[channel_id][0]),
            )
        return channels, check

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
                source=Source(check.display, 1),
            )
        return personas

    def load_journey(
        self,
        journey_id: str,
        path: Path,
        channels: dict[str, Channel],
        channels_check: _FileCheck | None,
        personas: dict[str, Persona],
    ) -> Journey | None:
        raw, check = self.read(path, schema.JOURNEY_FILE)
        try:
            if raw is None:
                return None
            return _JourneyBuilder(journey_id, raw, check, channels, channels_check, personas).build()
        finally:
            self.problems.extend(check.problems)


def _texts(values: list[Any] | None) -> tuple[str, ...]:
    return tuple(value for value in values or () if value)


class _JourneyBuilder:
    """Resolves a checked journey's references and defaults into a `Journey`."""

    def __init__(
        self,
        journey_id: str,
        raw: dict[str, Any],
        check: _FileCheck,
        channels: dict[str, Channel],
        channels_check: _FileCheck | None,
        personas: dict[str, Persona],
    ) -> None:
        self.id = journey_id
        self.raw = raw
        self.check = check
        self.channels = channels
        self.channels_check = channels_check
        self.personas = personas

    def reference(
        self, path: str, value: str, known: dict[str, Any] | list[str], what: str, where: str
    ) -> bool:
        if value in known:
            return True
        names = sorted(known)
        listing = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
        expected = f"expected {where}" + (f" ({listing})" if names else "")
        self.check.add(path, f"unknown {what} '{value}'; {expected}", did_you_mean(value, names))
        return False

    def build(self) -> Journey | None:
        raw, check = self.raw, self.check
        persona_ids = self.persona_ids()
        stages = self.stages()
        stage_ids = [stage.id for stage in stages]
        steps_raw = raw.get("steps") or []
        step_ids: dict[str, int] = {}
        for index, step in enumerate(steps_raw):
            if not isinstance(step, dict):
                continue
            step_id = step.get("id") or f"step-{index + 1}"
            if step_id in step_ids:
                first = step_ids[step_id]
                check.add(
                    f"steps[{index}].id",
                    f"duplicate step id '{step_id}' (also steps[{first}])"
                    + ("" if step.get("id") else "; steps without an id are named step-<n>"),
                    "give each step a unique id",
                )
            else:
                step_ids[step_id] = index
        steps = []
        for index, step in enumerate(steps_raw):
            if not isinstance(step, dict):
                continue
            built = self.step(index, step, steps_raw, stage_ids, list(step_ids))
            if built is not None:
                steps.append(built)
        if check.failed or raw.get("title") is None:
            return None
        return Journey(
            id=self.id,
            title=raw["title"],
            personas=persona_ids,
            stages=tuple(stages),
            steps=tuple(steps),
            owner=raw.get("owner"),
            summary=raw.get("summary"),
            source=Source(check.display, 1),
        )

    def persona_ids(self) -> tuple[str, ...]:
        raw = self.raw
        if raw.get("persona") and raw.get("personas"):
            self.check.add(
                "personas",
                "both 'persona' and 'personas' are given",
                "use 'personas: [a, b]' alone for several personas",
            )
        ids: list[str] = []
        if raw.get("persona"):
            if self.reference("persona", raw["persona"], self.personas, "persona", "a file in personas/"):
                ids.append(raw["persona"])
        for index, persona_id in enumerate(raw.get("personas") or []):
            if persona_id and self.reference(
                f"personas[{index}]", persona_id, self.personas, "persona", "a file in personas/"
            ):
                ids.append(persona_id)
        return tuple(dict.fromkeys(ids))

    def stages(self) -> list[Stage]:
        stages: list[Stage] = []
        seen: dict[str, int] = {}
        for index, raw in enumerate(self.raw.get("stages") or []):
            if not raw or not raw.get("id") or not raw.get("name"):
                continue
            if raw["id"] in seen:
                self.check.add(
                    f"stages[{index}].id",
                    f"duplicate stage id '{raw['id']}' (also stages[{seen[raw['id']]}])",
                    "give each stage a unique id",
                )
                continue
            seen[raw["id"]] = index
            kpis = tuple(
                Kpi(
                    name=kpi["name"],
                    target=kpi.get("target"),
                    actual=kpi.get("actual"),
                    higher_is_better=kpi.get("higher_is_better", True),
                )
                for kpi in raw.get("kpis") or ()
                if kpi and kpi.get("name")
            )
            stages.append(
                Stage(
                    id=raw["id"],
                    name=raw["name"],
                    description=raw.get("description"),
                    goals=_texts(raw.get("goals")),
                    kpis=kpis,
                )
            )
        return stages

    def step(
        self,
        index: int,
        raw: dict[str, Any],
        steps_raw: list[Any],
        stage_ids: list[str],
        step_ids: list[str],
    ) -> Step | None:
        path = f"steps[{index}]"
        ok = True
        if raw.get("stage"):
            ok &= self.reference(f"{path}.stage", raw["stage"], stage_ids, "stage",
                                 "a stage id of this journey")
        channel = None
        if raw.get("channel"):
            if self.channels_check is None:
                self.check.add(
                    f"{path}.channel",
                    f"unknown channel '{raw['channel']}': there is no channels.yml",
                    "create channels.yml in the maps folder and describe each channel there",
                )
                ok = False
            elif self.reference(f"{path}.channel", raw["channel"], self.channels, "channel",
                                "a channel id from channels.yml"):
                channel = self.channels[raw["channel"]]
        for target_index, target in enumerate(raw.get("next") or []):
            if target:
                ok &= self.reference(f"{path}.next[{target_index}]", target, step_ids, "step",
                                     "a step id of this journey")
        if not ok or channel is None or not raw.get("stage") or not raw.get("action"):
            return None
        if "next" in raw and raw["next"] is not None:
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
            owner=raw.get("owner") or channel.owner,
            next=next_ids,
        )


def load_playbook(
    maps_dir: Path,
    *,
    display_root: Path | None = None,
    options: LoadOptions | None = None,
) -> LoadResult:
    """Read and check every map under `maps_dir`.

    Paths in problems are shown relative to `display_root` (the site's folder).
    """
    loader = _Loader(maps_dir, display_root or maps_dir.parent, options or LoadOptions())
    return loader.load()


