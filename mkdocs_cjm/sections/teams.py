"""Team pages: `<prefix>/teams/` and a page per team, `<prefix>/teams/<slug>/`.

A team is any `owner` in the maps; a step belongs to its own owner, else to its
channel's (the loader fills that in). A team's page is the one a new hire of that
team is sent to: its journeys, its channels, and every moment it owns with its
emotion, pain points, opportunities and the KPIs of its stage.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mkdocs_cjm.core.index import Team
from mkdocs_cjm.core.model import Journey, Measurement, Playbook, Stage, Step, stage_data
from mkdocs_cjm.core.pages import PageRef
from mkdocs_cjm.render.emotion import average
from mkdocs_cjm.site.base import TEAM_KIND, SiteBase
from mkdocs_cjm.site.output import LazyPage

KIND = TEAM_KIND


@dataclass(frozen=True)
class JourneyMoments:
    journey: Journey
    stages: tuple[tuple[Stage, tuple[Step, ...]], ...]  # in the journey's stage order

    @property
    def steps(self) -> int:
        return sum(len(steps) for _, steps in self.stages)


def moments(team: Team) -> list[JourneyMoments]:
    """The team's steps grouped by journey (playbook order) and stage (journey order)."""
    by_journey: dict[str, tuple[Journey, list[Step]]] = {}
    for ref in team.steps:
        by_journey.setdefault(ref.journey.id, (ref.journey, []))[1].append(ref.step)
    grouped = []
    for journey, steps in by_journey.values():
        stages = tuple(
            (stage, mine)
            for stage in journey.stages
            if (mine := tuple(step for step in steps if step.stage == stage.id))
        )
        grouped.append(JourneyMoments(journey, stages))
    return grouped


@dataclass(frozen=True)
class TeamSummary:
    team: Team
    pain_points: int
    average: float | None


def summary(team: Team) -> TeamSummary:
    steps = [ref.step for ref in team.steps]
    return TeamSummary(
        team,
        sum(len(step.pain_points) for step in steps),
        average(step.emotion for step in steps),
    )


def rows(journey: Journey) -> Hashable:
    """What the teams index shows of a journey: who owns it, and each step's owner,
    emotion and number of pain points (the teams' counts and averages)."""
    return (
        journey.id,
        journey.owner,
        tuple((s.owner, s.emotion, len(s.pain_points)) for s in journey.steps),
    )


def index_context(generator: SiteBase, journey_rows: Sequence[Hashable]) -> Mapping[str, Any]:
    # The teams (their names, slugs, counts) are the cross-index's: `rows` holds every
    # part of a journey they are counted from.
    return {"teams": [summary(team) for team in generator.index.teams.values()]}


@dataclass(frozen=True)
class TeamJourney:
    """A journey's row on a team's page: whether the team owns it, and the moments
    (steps) the team owns in it, by stage (with the stages' KPI data)."""

    journey: str
    title: str
    owner: str | None
    owned: bool
    stages: tuple[tuple[tuple[Stage, tuple[tuple[Measurement, ...], ...]], tuple[Step, ...]], ...]


def team_rows(team: str, journey: Journey) -> TeamJourney:
    """What the page of the team named `team` shows of `journey`."""
    mine = [step for step in journey.steps if step.owner == team]
    return TeamJourney(
        journey.id,
        journey.title,
        journey.owner,
        journey.owner == team,
        tuple(
            (stage_data(stage), steps)
            for stage in journey.stages
            if (steps := tuple(step for step in mine if step.stage == stage.id))
        ),
    )


def moments_of(playbook: Playbook, journey_rows: Iterable[TeamJourney]) -> list[JourneyMoments]:
    """A team's moments from its journeys' rows (the same as `moments`)."""
    return [
        JourneyMoments(
            playbook.journey_by_id[row.journey],
            tuple((stage, steps) for (stage, _), steps in row.stages),
        )
        for row in journey_rows
        if row.stages
    ]


def team_journeys(team: Team) -> frozenset[str]:
    return frozenset([*(ref.journey.id for ref in team.steps), *(j.id for j in team.journeys)])


def team_pages(generator: SiteBase) -> Iterator[LazyPage]:
    for team in generator.index.teams.values():
        yield generator.lazy_item(
            "team.md.j2",
            PageRef(KIND, team.slug),
            team.name,
            team_journeys(team),
            functools.partial(_team_context, generator, team),
            functools.partial(team_rows, team.name),
        )


def _team_context(generator: SiteBase, team: Team) -> Mapping[str, Any]:
    """A team's page, its moments from the rows of its journeys."""
    mine = team_journeys(team)
    journeys = [journey for journey in generator.playbook.journeys if journey.id in mine]
    journey_rows = generator.rows_of(functools.partial(team_rows, team.name), journeys)
    return {"team": summary(team), "moments": moments_of(generator.playbook, journey_rows)}
