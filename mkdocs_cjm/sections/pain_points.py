"""The pain-point register, `<prefix>/pain-points/`: every pain point of every journey in
one list, the worst moments (lowest emotion) of the whole playbook first; below it the
same entries grouped by owning team, the worst first within a team."""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from mkdocs_cjm.core.index import CrossIndex, Team
from mkdocs_cjm.core.model import Channel, Journey, Measurement, Playbook, Stage, Step, stage_data
from mkdocs_cjm.core.pages import PageRef
from mkdocs_cjm.site.base import SiteBase
from mkdocs_cjm.site.output import LazyPage

KIND = "pain-points"


@dataclass(frozen=True)
class PainPoint:
    text: str
    journey: Journey
    stage: Stage
    step: Step
    channel: Channel
    team: Team | None


@dataclass(frozen=True)
class TeamPains:
    team: Team | None  # None: steps nobody owns
    entries: tuple[PainPoint, ...]


def _worst_first(entry: PainPoint) -> tuple[int, str, int]:
    emotion = entry.step.emotion if entry.step.emotion is not None else 99  # unrated last
    return emotion, entry.journey.id, entry.step.index


@dataclass(frozen=True)
class JourneyPains:
    """A journey's row in the register: its title and personas (the filters), and its
    steps that have pain points, whole, with their stages (and the stages' KPI data)."""

    journey: str
    title: str
    personas: tuple[str, ...]
    steps: tuple[tuple[Step, tuple[Stage, tuple[tuple[Measurement, ...], ...]]], ...]


def rows(journey: Journey, team: str | None = None) -> JourneyPains:
    """What the register (or a team's part of it: `team`, "" for no owner) shows of a
    journey."""
    return JourneyPains(
        journey.id,
        journey.title,
        journey.personas,
        tuple(
            (s, stage_data(journey.stage(s.stage)))
            for s in journey.steps
            if s.pain_points and (team is None or (s.owner or "") == team)
        ),
    )


def register(
    playbook: Playbook, index: CrossIndex, journey_rows: Iterable[JourneyPains] | None = None
) -> list[TeamPains]:
    """Groups by team, most pain points first (then by name); unowned steps last. From
    the journeys' rows (default: every journey's)."""
    if journey_rows is None:
        journey_rows = [rows(journey) for journey in playbook.journeys]
    groups: dict[str, list[PainPoint]] = {}
    for row in journey_rows:
        journey = playbook.journey_by_id[row.journey]
        for step, (stage, _) in row.steps:
            team = index.teams.get(step.owner) if step.owner else None
            for text in step.pain_points:
                entry = PainPoint(
                    text,
                    journey,
                    stage,
                    step,
                    playbook.channel_by_id[step.channel],
                    team,
                )
                groups.setdefault(step.owner or "", []).append(entry)
    ordered = sorted((name for name in groups if name), key=lambda name: (-len(groups[name]), name))
    result = [
        TeamPains(index.teams[name], tuple(sorted(groups[name], key=_worst_first)))
        for name in ordered
    ]
    if "" in groups:
        result.append(TeamPains(None, tuple(sorted(groups[""], key=_worst_first))))
    return result


def worst_first(groups: list[TeamPains]) -> list[PainPoint]:
    """Every entry of `groups` in one list, the lowest emotion first across teams (ties:
    journey id, step number, the step's own order of pain points); unrated last."""
    return sorted((entry for group in groups for entry in group.entries), key=_worst_first)


@dataclass(frozen=True)
class Filter:
    """One way to narrow the register: the entries' `data-<attribute>`, its label
    key, and the (value, text) choices, only those that occur in the register."""

    attribute: str
    label: str
    options: tuple[tuple[str, str], ...]


def filters(playbook: Playbook, groups: list[TeamPains]) -> list[Filter]:
    entries = [entry for group in groups for entry in group.entries]
    channels = {entry.channel.id for entry in entries}
    journeys = {entry.journey.id for entry in entries}
    personas = {pid for entry in entries for pid in entry.journey.personas}
    teams = [group.team for group in groups if group.team is not None]
    return [
        Filter("team", "team", tuple((team.slug, team.name) for team in teams)),
        Filter(
            "channel",
            "channel",
            tuple((c.id, c.name) for c in playbook.channels if c.id in channels),
        ),
        Filter(
            "personas",
            "persona",
            tuple((p.id, p.name) for p in playbook.personas if p.id in personas),
        ),
        Filter(
            "journey",
            "journey",
            tuple((j.id, j.title) for j in playbook.journeys if j.id in journeys),
        ),
    ]


# Past this many entries, team groups start closed: the page stays a list of teams.
OPEN_UP_TO = 300
# Past this many entries, each team's entries get a page of their own,
# `<prefix>/pain-points/<team slug>/`, and the register lists the teams: one page
# of thousands of entries would pass 2 MB and be no use to anyone.
SPLIT_OVER = 1500
# A register split by team still opens on the playbook's worst moments: this many.
SPLIT_WORST = 50
NO_OWNER = "no-owner"  # the page of the entries no team owns (`index.team_slugs` reserves it)


def group_id(group: TeamPains) -> str:
    return group.team.slug if group.team else NO_OWNER


def _context(generator: SiteBase, groups: list[TeamPains], part: bool) -> dict[str, Any]:
    entries = worst_first(groups)
    return {
        "groups": groups,
        "worst_first": entries,
        "total": len(entries),
        "journey_count": len({entry.journey.id for entry in entries}),
        "filters": filters(generator.playbook, groups),
        "open_groups": part or len(entries) <= OPEN_UP_TO,
        "split": False,
        "part": part,
        "group_id": group_id,
    }


def context(generator: SiteBase, journey_rows: Sequence[Hashable]) -> Mapping[str, Any]:
    """The register, from the journeys' rows (`rows`)."""
    groups = register(
        generator.playbook, generator.index, cast("Sequence[JourneyPains]", journey_rows)
    )
    result = _context(generator, groups, part=False)
    result["split"] = result["total"] > SPLIT_OVER
    result["split_worst"] = SPLIT_WORST
    return result


def team_pages(generator: SiteBase) -> Iterator[LazyPage]:
    """At scale (see SPLIT_OVER), a register page per team."""
    groups = register(generator.playbook, generator.index)
    if sum(len(group.entries) for group in groups) <= SPLIT_OVER:
        return
    for group in groups:
        title = group.team.name if group.team else generator.labels["no_owner"]
        yield generator.lazy_item(
            "pain-points.md.j2",
            PageRef(KIND, group_id(group)),
            f"{generator.labels['pain_point_register']}: {title}",
            frozenset(entry.journey.id for entry in group.entries),
            functools.partial(_team_context, generator, group.team.name if group.team else ""),
            functools.partial(rows, team=group.team.name if group.team else ""),
        )


def _team_context(generator: SiteBase, team: str) -> dict[str, Any]:
    """A team's part of the register, from the rows of every journey for it."""
    journey_rows = generator.rows_of(functools.partial(rows, team=team))
    (group,) = register(generator.playbook, generator.index, journey_rows)
    return _context(generator, [group], part=True)
