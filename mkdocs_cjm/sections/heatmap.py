"""The channels index's heatmap (channels x journeys, or x phases) and its
underperforming touchpoints."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from mkdocs_cjm.core.model import Channel, ChannelType, Journey, Playbook
from mkdocs_cjm.render.emotion import average
from mkdocs_cjm.site.base import SiteBase

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


def cell_of(steps: Iterable[HeatmapStep]) -> Cell:
    steps = list(steps)
    if not steps:
        return Cell()
    return Cell(
        len(steps),
        average(step.emotion for step in steps),
        sum(step.pain_points for step in steps),
    )


@dataclass(frozen=True)
class HeatmapStep:
    """What the heatmap counts of a step."""

    channel: str
    phase: str  # "" for a stage without one
    emotion: int | None
    pain_points: int


@dataclass(frozen=True)
class HeatmapRow:
    """A journey's row on the channels index: its title (a column of the heatmap) and
    what its steps add to the cells."""

    journey: str
    title: str
    steps: tuple[HeatmapStep, ...]


def rows(journey: Journey) -> HeatmapRow:
    phase_of = {stage.id: stage.phase or "" for stage in journey.stages}
    return HeatmapRow(
        journey.id,
        journey.title,
        tuple(
            HeatmapStep(step.channel, phase_of[step.stage], step.emotion, len(step.pain_points))
            for step in journey.steps
        ),
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
    return heatmap_of(playbook, [rows(journey) for journey in playbook.journeys])


def heatmap_of(playbook: Playbook, journey_rows: Iterable[HeatmapRow]) -> Heatmap:
    """The heatmap of the journeys' rows (the playbook gives the channels and phases)."""
    per_journey: dict[tuple[str, str], list[HeatmapStep]] = {}
    per_phase: dict[tuple[str, str], list[HeatmapStep]] = {}
    per_channel: dict[str, list[HeatmapStep]] = {}
    used_phases: set[str] = set()
    for row in journey_rows:
        for step in row.steps:
            used_phases.add(step.phase)
            per_journey.setdefault((step.channel, row.journey), []).append(step)
            per_phase.setdefault((step.channel, step.phase), []).append(step)
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


def channels_context(generator: SiteBase, journey_rows: Sequence[Hashable]) -> Mapping[str, Any]:
    """The channels index, from the journeys' rows (`rows`)."""
    heatmap = heatmap_of(generator.playbook, cast("Sequence[HeatmapRow]", journey_rows))
    return {
        "heatmap": heatmap,
        "heatmap_channels": heatmap.channels,
        "underperformers": underperformers(generator.playbook, heatmap),
        "underperforming_below": UNDERPERFORMING_BELOW,
        "list_journeys": len(generator.playbook.journeys) <= LIST_JOURNEYS_UP_TO,
    }
