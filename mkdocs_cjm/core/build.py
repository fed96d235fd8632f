"""The journey's builder: a checked journey file and what it refers to -> a `Journey`.

Beyond the fields `records.values` fills from the schema, a journey's builder
resolves references (personas, stages, channels, phases, steps' `next`), gives
the defaults that depend on the context (a step's id, touchpoint and owner from
its channel, `next` from its neighbour) and reports what only the whole journey
shows (duplicate ids, two KPIs of one name, a fork's branch falling through).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any

from mkdocs_cjm.core import schema
from mkdocs_cjm.core.checks import FileCheck
from mkdocs_cjm.core.model import (
    DEFAULT_PHASES,
    Channel,
    Journey,
    Persona,
    Phase,
    Source,
    Stage,
    Step,
)
from mkdocs_cjm.core.problems import Severity, did_you_mean
from mkdocs_cjm.core.records import team_name, values


def listing(names: list[str]) -> str:
    return ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")


@dataclass(frozen=True)
class OwnerUse:
    name: str  # as `team_name` makes it
    file: str
    line: int
    column: int
    key_path: str

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" + (f":{self.column}" if self.column else "")


@dataclass
class Channels:
    """What journeys may name as a channel."""

    by_id: dict[str, Channel] = field(default_factory=dict)
    # Declared ids, including channels with errors of their own (reported in channels.yml).
    declared: set[str] = field(default_factory=set)
    file: str | None = None
    # channels.yml could not be read as a mapping: no reference to it can be judged.
    unreadable: bool = False
    # Where channels.yml names an owner: for the warning about names differing in case.
    owners: list[OwnerUse] = field(default_factory=list)


@dataclass
class Phases:
    """What a stage's `phase:` may name."""

    phases: tuple[Phase, ...] = DEFAULT_PHASES
    # Declared ids (phases with errors of their own too); None when some are unreadable.
    declared: set[str] | None = field(
        default_factory=lambda: {phase.id for phase in DEFAULT_PHASES}
    )
    file: str | None = None  # playbook.yml, when there is one


class JourneyBuilder:
    """Resolves a checked journey's references and defaults into a `Journey`."""

    def __init__(
        self,
        journey_id: str,
        raw: dict[str, Any],
        check: FileCheck,
        channels: Channels,
        personas: dict[str, Persona],
        phases: Phases,
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
        expected = f"expected {where}" + (f" ({listing(names)})" if names else "")
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
            **values(
                schema.JOURNEY_FILE,
                raw,
                id=self.id,
                personas=persona_ids,
                stages=tuple(stages),
                steps=tuple(steps),
                source=Source(check.display, 1),
            )
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
            stages.append(
                Stage(**values(schema.STAGE, raw, f"stages[{index}]", self.check.positions))
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
            **values(
                schema.STEP,
                raw,
                path,
                self.check.positions,
                id=raw.get("id") or f"step-{index + 1}",
                index=index + 1,
                channel=channel.id,
                touchpoint=raw.get("touchpoint") or channel.name,
                owner=team_name(raw.get("owner")) or channel.owner,
                next=next_ids,
            )
        )
