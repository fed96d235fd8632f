"""The playbook's domain objects: what a journey map means once it is validated.

Everything here is immutable and knows nothing of YAML or MkDocs, so renderers can
be tested with objects built by hand. Each record's attributes are the ones the
format's fields name (`schema.Field.attribute`, plus the record's `model_only`);
`records.values` fills them and `tests/test_format_parity.py` holds the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from functools import cached_property
from typing import NamedTuple

from mkdocs_cjm.core.measure import KpiStatus, kpi_status, parse_measure

__all__ = ["KpiStatus", "parse_measure"]  # re-exported: they lived here first

EMOTION_MIN = 1
EMOTION_MAX = 5


class ChannelType(str, Enum):
    ONLINE = "online"
    OFFLINE = "offline"


@dataclass(frozen=True)
class Phase:
    """A phase of the customer lifecycle, from `maps/playbook.yml`.

    `label` None: one of the default phases (before, during, after), named by the
    site's language."""

    id: str
    label: str | None = None
    description: str | None = None


DEFAULT_PHASES = tuple(Phase(phase_id) for phase_id in ("before", "during", "after"))


@dataclass(frozen=True)
class Source:
    """Where an object was written, for error messages and edit links."""

    path: str
    line: int = 0


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    type: ChannelType
    owner: str | None = None
    description: str | None = None
    source: Source = field(default=Source(""), compare=False)

    @property
    def online(self) -> bool:
        return self.type is ChannelType.ONLINE


@dataclass(frozen=True)
class Persona:
    id: str
    name: str
    tagline: str | None = None
    description: str | None = None
    goals: tuple[str, ...] = ()
    frustrations: tuple[str, ...] = ()
    # Kept as written in YAML (label, text) so "28" stays "28" and "3.10" stays "3.10".
    traits: tuple[tuple[str, str], ...] = ()
    reviewed: date | None = None
    source: Source = field(default=Source(""), compare=False)


class Measurement(NamedTuple):
    """One value of a KPI from a metrics file (a tuple: a long series builds fast)."""

    date: date
    value: float
    text: str  # as written in the file, for display


@dataclass(frozen=True)
class Kpi:
    name: str
    target: str | None = None
    actual: str | None = None
    higher_is_better: bool = True
    id: str | None = None
    # Line of `actual:` in the journey file (0: not written there), for a message that
    # sends the author to it. Not part of what the KPI is: moving it changes nothing shown.
    actual_line: int = field(default=0, compare=False)
    # From maps/metrics/*.csv, oldest first; `actual` is then the latest value. Left out
    # of equality and hashing: a KPI is its YAML, and a journey (hashed as a dictionary
    # key) must not hash thousands of data rows each time.
    series: tuple[Measurement, ...] = field(default=(), compare=False)

    @property
    def as_of(self) -> date | None:
        return self.series[-1].date if self.series else None

    @cached_property
    def status(self) -> KpiStatus:
        """Whether the actual value reaches the target (see `measure.kpi_status`)."""
        return kpi_status(self.target, self.actual, self.higher_is_better)


@dataclass(frozen=True)
class Stage:
    id: str
    name: str
    description: str | None = None
    goals: tuple[str, ...] = ()
    kpis: tuple[Kpi, ...] = ()
    # The id of one of the playbook's phases (`Playbook.phases`).
    phase: str | None = None


@dataclass(frozen=True)
class Step:
    id: str
    index: int  # 1-based position in the journey's list of steps
    stage: str
    channel: str
    touchpoint: str
    action: str
    services: tuple[str, ...] = ()
    emotion: int | None = None
    feeling: str | None = None
    thought: str | None = None
    pain_points: tuple[str, ...] = ()
    opportunities: tuple[str, ...] = ()
    owner: str | None = None
    next: tuple[str, ...] = ()
    evidence: Evidence | None = None
    evidence_source: str | None = None  # the step's `source:` key

    # A golden milestone: a moment that must happen for the customer to get value.
    milestone: bool = False


class Evidence(str, Enum):
    OBSERVED = "observed"
    REPORTED = "reported"
    ASSUMED = "assumed"

    @property
    def is_evidence(self) -> bool:
        """Observed and reported steps rest on research; assumed ones do not."""
        return self is not Evidence.ASSUMED


@dataclass(frozen=True)
class Journey:
    id: str
    title: str
    personas: tuple[str, ...]
    stages: tuple[Stage, ...]
    steps: tuple[Step, ...]
    owner: str | None = None
    summary: str | None = None
    reviewed: date | None = None
    future_of: str | None = None  # id of the current journey this one is the future of
    source: Source = field(default=Source(""), compare=False)

    def stage(self, stage_id: str) -> Stage:
        return next(stage for stage in self.stages if stage.id == stage_id)

    @cached_property
    def phase_bands(self) -> tuple[tuple[str | None, tuple[Stage, ...]], ...]:
        """Runs of consecutive stages of one phase id, in stage order; none if no stage has
        a phase."""
        if not any(stage.phase for stage in self.stages):
            return ()
        bands: list[tuple[str | None, list[Stage]]] = []
        for stage in self.stages:
            if bands and bands[-1][0] == stage.phase:
                bands[-1][1].append(stage)
            else:
                bands.append((stage.phase, [stage]))
        return tuple((phase, tuple(stages)) for phase, stages in bands)

    def steps_in(self, stage_id: str) -> tuple[Step, ...]:
        return tuple(step for step in self.steps if step.stage == stage_id)

    @property
    def channel_ids(self) -> tuple[str, ...]:
        """Channels in the order the journey first meets them."""
        return tuple(dict.fromkeys(step.channel for step in self.steps))

    @property
    def edges(self) -> tuple[tuple[Step, Step], ...]:
        by_id = {step.id: step for step in self.steps}
        return tuple((step, by_id[target]) for step in self.steps for target in step.next)


@dataclass(frozen=True)
class Playbook:
    """Every validated map of one site, each collection sorted by id."""

    channels: tuple[Channel, ...] = ()
    personas: tuple[Persona, ...] = ()
    journeys: tuple[Journey, ...] = ()
    # The lifecycle's phases in order (`maps/playbook.yml`), not sorted.
    phases: tuple[Phase, ...] = DEFAULT_PHASES

    @cached_property
    def phase_by_id(self) -> dict[str, Phase]:
        return {phase.id: phase for phase in self.phases}

    @cached_property
    def phase_order(self) -> dict[str, int]:
        """Phase id -> its position in the lifecycle."""
        return {phase.id: position for position, phase in enumerate(self.phases)}

    @cached_property
    def channel_by_id(self) -> dict[str, Channel]:
        return {channel.id: channel for channel in self.channels}

    @cached_property
    def persona_by_id(self) -> dict[str, Persona]:
        return {persona.id: persona for persona in self.personas}

    @cached_property
    def journey_by_id(self) -> dict[str, Journey]:
        return {journey.id: journey for journey in self.journeys}

    @cached_property
    def futures_of(self) -> dict[str, tuple[Journey, ...]]:
        """Current journey id -> the journeys that are its future state."""
        futures: dict[str, list[Journey]] = {}
        for journey in self.journeys:
            if journey.future_of:
                futures.setdefault(journey.future_of, []).append(journey)
        return {key: tuple(value) for key, value in futures.items()}


def stage_data(stage: Stage) -> tuple[Stage, tuple[tuple[Measurement, ...], ...]]:
    """The stage with its KPIs' data series, which equality of stages leaves out."""
    return stage, tuple(kpi.series for kpi in stage.kpis)
