"""Team pages: `<prefix>/teams/` and a page per team, `<prefix>/teams/<slug>/`.

A team is any `owner` in the maps; a step belongs to its own owner, else to its
channel's (the loader fills that in). A team's page is the one a new hire of that
team is sent to: its journeys, its channels, and every moment it owns with its
emotion, pain points, opportunities and the KPIs of its stage.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mkdocs_cjm.core.index import Team
from mkdocs_cjm.core.model import Journey, Stage, Step, stage_data
from mkdocs_cjm.core.pages import PageRef
from mkdocs_cjm.render.emotion import average

if TYPE_CHECKING:
    from mkdocs_cjm.site.generate import LazyPage, SiteGenerator

KIND = "teams"


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


def index_context(generator: SiteGenerator) -> Mapping[str, Any]:
    return {"teams": [summary(team) for team in generator.index.teams.values()]}


def team_pages(generator: SiteGenerator) -> Iterator[LazyPage]:
    for team in generator.index.teams.values():
        yield generator.lazy_item(
            "team.md.j2",
            PageRef(KIND, team.slug),
            team.name,
            frozenset([*(ref.journey.id for ref in team.steps), *(j.id for j in team.journeys)]),
            functools.partial(_team_context, team),
            functools.partial(_shown_on_team_page, team),
        )


def _shown_on_team_page(team: Team, journey: Journey) -> object:
    """What a team's page shows of a journey: whether the team owns it, and the
    moments it owns in it, by stage."""
    mine = [ref.step for ref in team.steps if ref.journey.id == journey.id]
    stages = tuple(
        (stage_data(stage), steps)
        for stage in journey.stages
        if (steps := tuple(step for step in mine if step.stage == stage.id))
    )
    return (
        journey.id,
        journey.title,
        journey.owner,
        any(j.id == journey.id for j in team.journeys),
        stages,
    )


def _team_context(team: Team) -> Mapping[str, Any]:
    return {"team": summary(team), "moments": moments(team)}


def shown_on_index(journey: Journey) -> object:
    """What the teams index shows of a journey: who owns it, and each step's owner,
    emotion and number of pain points (the teams' counts and averages)."""
    return (
        journey.id,
        journey.owner,
        tuple((s.owner, s.emotion, len(s.pain_points)) for s in journey.steps),
    )
