"""The playbook's domain objects: what a journey map means once it is validated.

Everything here is immutable and knows nothing of YAML or MkDocs, so renderers can
be tested with objects built by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from functools import cached_property
from typing import NamedTuple

EMOTION_MIN = 1
EMOTION_MAX = 5


class ChannelType(str, Enum):
    ONLINE = "online"
    OFFLINE = "offline"


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


class KpiStatus(str, Enum):
    MET = "met"
    BELOW = "below"
    UNKNOWN = "unknown"


_NUMBER = re.compile(r"[-+]?\d[\d.,]*")


def parse_measure(text: str) -> tuple[float, str] | None:
    """Split a KPI value such as "1.4%", "5 min" or "1.000.000 đ" into (number, unit).

    Both "1,5" and "1.5" read as one and a half; a separator used more than once,
    or a comma followed by exactly three digits, groups thousands.
    """
    match = _NUMBER.search(text)
    if match is None:
        return None
    raw = match.group().rstrip(".,")
    unit = (text[: match.start()] + text[match.start() + len(raw) :]).strip().lower()
    dots, commas = raw.count("."), raw.count(",")
    if dots and commas:
        decimal = "." if raw.rfind(".") > raw.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        raw = raw.replace(thousands, "").replace(decimal, ".")
    elif dots > 1 or commas > 1:
        raw = raw.replace(".", "").replace(",", "")
    elif commas == 1:
        head, tail = raw.split(",")
        raw = head + tail if len(tail) == 3 else f"{head}.{tail}"
    try:
        return float(raw), unit
    except ValueError:
        return None


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
    # From maps/metrics/*.csv, oldest first; `actual` is then the latest value. Left out
    # of equality and hashing: a KPI is its YAML, and a journey (hashed as a dictionary
    # key) must not hash thousands of data rows each time.
    series: tuple[Measurement, ...] = field(default=(), compare=False)

    @property
    def as_of(self) -> date | None:
        return self.series[-1].date if self.series else None

    @cached_property
    def status(self) -> KpiStatus:
        """Whether the actual value reaches the target; UNKNOWN when they cannot be compared."""
        if self.target is None or self.actual is None:
            return KpiStatus.UNKNOWN
        target, actual = parse_measure(self.target), parse_measure(self.actual)
        if target is None or actual is None or target[1] != actual[1]:
            return KpiStatus.UNKNOWN
        reached = actual[0] >= target[0] if self.higher_is_better else actual[0] <= target[0]
        return KpiStatus.MET if reached else KpiStatus.BELOW


@dataclass(frozen=True)
class Stage:
    id: str
    name: str
    description: str | None = None
    goals: tuple[str, ...] = ()
    kpis: tuple[Kpi, ...] = ()


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
