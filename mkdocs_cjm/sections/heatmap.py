"""The channels index's heatmap (channels x journeys, or x phases) and its
underperforming touchpoints."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mkdocs_cjm.core.model import Channel, ChannelType, Journey, Playbook, Step
from mkdocs_cjm.render.emotion import average

if TYPE_CHECKING:
    from mkdocs_cjm.site.generate import SiteGenerator

# Past this many journeys the channels table gives each channel's number of journeys
# rather than a link to each (the heatmap below shows which): the page stays under 2 MB.
LIST_JOURNEYS_UP_TO = 50
# Below this average emotion a channel is listed as an underperforming touchpoint.
UNDERPERFORMING_BELOW = 3


@dataclass(frozen=True)
class Cell:
    steps: int = 0
    average: float | None = None  # of the rated steps, to one decimal
    pain_points: int = 0

    @property
    def average_text(self) -> str:
        return "" if self.average is None else f"{self.average:g}"

    @property
    def emotion(self) -> int | None:
        """The score whose colour the cell takes."""
        return None if self.average is None else int(self.average + 0.5)


def cell_of(steps: Iterable[Step]) -> Cell:
    steps = list(steps)
    if not steps:
        return Cell()
    return Cell(
        len(steps),
        average(step.emotion for step in steps),
        sum(len(step.pain_points) for step in steps),
    )


@dataclass(frozen=True)
class Heatmap:
    groups: tuple[tuple[ChannelType, tuple[Channel, ...]], ...]  # online, then offline
    by_journey: Mapping[tuple[str, str], Cell]  # (channel id, journey id)
    by_phase: Mapping[tuple[str, str], Cell]  # (channel id, phase or "")
    phases: tuple[str, ...]  # the phases used, in order; "" for stages without one
    by_channel: Mapping[str, Cell]

    @property
    def channels(self) -> list[Channel]:
        """The heatmap's columns: online channels, then offline."""
        return [channel for _, group in self.groups for channel in group]


def build_heatmap(playbook: Playbook) -> Heatmap:
    per_journey: dict[tuple[str, str], list[Step]] = {}
    per_phase: dict[tuple[str, str], list[Step]] = {}
    per_channel: dict[str, list[Step]] = {}
    used_phases: set[str] = set()
    for journey in playbook.journeys:
        phase_of = {stage.id: stage.phase or "" for stage in journey.stages}
        for step in journey.steps:
            phase = phase_of[step.stage]
            used_phases.add(phase)
            per_journey.setdefault((step.channel, journey.id), []).append(step)
            per_phase.setdefault((step.channel, phase), []).append(step)
            per_channel.setdefault(step.channel, []).append(step)
    groups = tuple(
        (kind, members)
        for kind in ChannelType
        if (members := tuple(c for c in playbook.channels if c.type is kind))
    )
    phases: tuple[str, ...] = tuple(p.id for p in playbook.phases if p.id in used_phases)
    if "" in used_phases:
        phases += ("",)
    return Heatmap(
        groups,
        {key: cell_of(steps) for key, steps in per_journey.items()},
        {key: cell_of(steps) for key, steps in per_phase.items()},
        phases,
        {key: cell_of(steps) for key, steps in per_channel.items()},
    )


@dataclass(frozen=True)
class Underperformer:
    channel: Channel
    cell: Cell
    low_emotion: bool  # its steps average below UNDERPERFORMING_BELOW
    most_pain: bool  # it carries the most pain points of all channels


def underperformers(playbook: Playbook, heatmap: Heatmap) -> list[Underperformer]:
    """Channels whose steps average below 3, or that carry the most pain points."""
    most = max((cell.pain_points for cell in heatmap.by_channel.values()), default=0)
    found = []
    for channel in playbook.channels:
        cell = heatmap.by_channel.get(channel.id, Cell())
        low = cell.average is not None and cell.average < UNDERPERFORMING_BELOW
        pain = most > 0 and cell.pain_points == most
        if low or pain:
            found.append(Underperformer(channel, cell, low, pain))
    found.sort(key=lambda u: (u.cell.average if u.cell.average is not None else 6, u.channel.id))
    return found


def channels_context(generator: SiteGenerator) -> Mapping[str, Any]:
    heatmap = build_heatmap(generator.playbook)
    return {
        "heatmap": heatmap,
        "heatmap_channels": heatmap.channels,
        "underperformers": underperformers(generator.playbook, heatmap),
        "underperforming_below": UNDERPERFORMING_BELOW,
        "list_journeys": len(generator.playbook.journeys) <= LIST_JOURNEYS_UP_TO,
    }


def shown(journey: Journey) -> object:
    """What the channels index shows of a journey: its title, and for its heatmap
    cells each step's channel, phase, emotion and number of pain points."""
    phase_of = {stage.id: stage.phase for stage in journey.stages}
    return (
        journey.id,
        journey.title,
        tuple((s.channel, phase_of[s.stage], s.emotion, len(s.pain_points)) for s in journey.steps),
    )
