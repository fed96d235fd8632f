"""A future (to-be) journey against its current one: stages aligned, steps matched by id."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from mkdocs_cjm.core import schema
from mkdocs_cjm.core.model import Journey, Kpi, Step

# Step attributes whose difference makes a matched step "changed": the step fields
# the schema marks `compared` (not `next`: its default depends on the neighbours,
# which an added step elsewhere changes).
COMPARED_FIELDS = schema.compared_fields(schema.STEP)


class Change(str, Enum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    SAME = "same"


@dataclass(frozen=True)
class StepChange:
    change: Change
    step_id: str
    current: Step | None
    future: Step | None
    differences: tuple[str, ...] = ()  # names from COMPARED_FIELDS

    @property
    def step(self) -> Step:
        """The step as it will be (or as it was, when removed)."""
        step = self.future or self.current
        assert step is not None
        return step


@dataclass(frozen=True)
class AlignedStage:
    id: str
    name: str
    current: tuple[Step, ...]
    future: tuple[Step, ...]
    changes: tuple[StepChange, ...]

    @property
    def width(self) -> int:
        """Slots the stage takes on the shared chart: the longer of the two journeys."""
        return max(len(self.current), len(self.future), 1)


@dataclass(frozen=True)
class RemovedPainPoint:
    text: str
    step: Step


@dataclass(frozen=True)
class KpiPair:
    stage_name: str
    name: str
    current: Kpi | None
    future: Kpi | None


@dataclass(frozen=True)
class Comparison:
    current: Journey
    future: Journey
    stages: tuple[AlignedStage, ...]
    removed_pain_points: tuple[RemovedPainPoint, ...]
    kpis: tuple[KpiPair, ...]

    def count(self, change: str) -> int:
        return sum(1 for stage in self.stages for item in stage.changes if item.change == change)


def aligned_stage_ids(current: Journey, future: Journey) -> list[str]:
    """Current stages in order, with each stage only the future has placed after the
    stage it follows there."""
    order = [stage.id for stage in current.stages]
    previous: str | None = None
    for stage in future.stages:
        if stage.id not in order:
            order.insert(order.index(previous) + 1 if previous else 0, stage.id)
        previous = stage.id
    return order


def _differences(before: Step, after: Step) -> tuple[str, ...]:
    return tuple(name for name in COMPARED_FIELDS if getattr(before, name) != getattr(after, name))


def _normalised(text: str) -> str:
    return " ".join(text.casefold().split())


def compare(current: Journey, future: Journey) -> Comparison:
    current_steps = {step.id: step for step in current.steps}
    future_steps = {step.id: step for step in future.steps}
    names = {stage.id: stage.name for stage in current.stages}
    names.update({stage.id: stage.name for stage in future.stages})
    stages = []
    for stage_id in aligned_stage_ids(current, future):
        before = current.steps_in(stage_id)
        after = future.steps_in(stage_id)
        changes: list[StepChange] = []
        for step in after:
            old = current_steps.get(step.id)
            if old is None:
                changes.append(StepChange(Change.ADDED, step.id, None, step))
                continue
            differences = _differences(old, step)
            change = Change.CHANGED if differences else Change.SAME
            changes.append(StepChange(change, step.id, old, step, differences))
        for step in before:
            if step.id not in future_steps:
                changes.append(StepChange(Change.REMOVED, step.id, step, None))
        stages.append(AlignedStage(stage_id, names[stage_id], before, after, tuple(changes)))
    remaining = {_normalised(text) for step in future.steps for text in step.pain_points}
    removed = []
    seen: set[str] = set()
    for step in current.steps:
        for text in step.pain_points:
            key = _normalised(text)
            if key not in remaining and key not in seen:
                seen.add(key)
                removed.append(RemovedPainPoint(text, step))
    return Comparison(current, future, tuple(stages), tuple(removed), _kpi_pairs(current, future))


def _same_kpi(old: Kpi, new: Kpi) -> bool:
    if old.id and new.id:
        return old.id == new.id
    return _normalised(old.name) == _normalised(new.name)


def _kpi_pairs(current: Journey, future: Journey) -> tuple[KpiPair, ...]:
    """KPIs matched by id (when both have one) or by name, stage by stage."""
    pairs = []
    current_stages = {stage.id: stage for stage in current.stages}
    future_stages = {stage.id: stage for stage in future.stages}
    for stage_id in aligned_stage_ids(current, future):
        before = current_stages.get(stage_id)
        after = future_stages.get(stage_id)
        named = after or before
        stage_name = named.name if named else stage_id
        olds = list(before.kpis) if before else []
        matched: set[int] = set()
        for new in after.kpis if after else ():
            index = next(
                (i for i, old in enumerate(olds) if i not in matched and _same_kpi(old, new)),
                None,
            )
            if index is not None:
                matched.add(index)
            pairs.append(
                KpiPair(stage_name, new.name, olds[index] if index is not None else None, new)
            )
        pairs += [
            KpiPair(stage_name, old.name, old, None)
            for index, old in enumerate(olds)
            if index not in matched
        ]
    return tuple(pairs)
