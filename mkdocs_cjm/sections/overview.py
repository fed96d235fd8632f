"""The overview page, `<prefix>/`: counts, links to every section, the teams and the
golden milestones with the KPIs of their stage."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..evidence import rank_by_weak_evidence
from ..model import Journey, Playbook, Stage, Step, stage_data
from .teams import summary

if TYPE_CHECKING:
    from ..generate import SiteGenerator


@dataclass(frozen=True)
class Milestone:
    journey: Journey
    stage: Stage
    step: Step


def milestones(playbook: Playbook) -> list[Milestone]:
    return [
        Milestone(journey, journey.stage(step.stage), step)
        for journey in playbook.journeys
        for step in journey.steps
        if step.milestone
    ]


# Past this many moments, the overview lists the teams with their counts (as the teams
# index does) instead of every moment: at 600 journeys the list alone passed 3 MB.
LIST_MOMENTS_UP_TO = 500


def context(generator: SiteGenerator) -> Mapping[str, Any]:
    moments = sum(len(refs) for refs in generator.index.steps_by_team.values())
    return {
        "teams": list(generator.index.steps_by_team.items()),
        "list_moments": moments <= LIST_MOMENTS_UP_TO,
        "team_summaries": [summary(team) for team in generator.index.teams.values()],
        "team_slug": lambda name: generator.index.teams[name].slug,
        "milestones": milestones(generator.playbook),
        "stale_reviews": generator.stale_reviews(),
        "evidence_ranking": rank_by_weak_evidence(generator.playbook.journeys),
    }


def shows(generator: SiteGenerator) -> Callable[[Journey], object]:
    moments = sum(len(refs) for refs in generator.index.steps_by_team.values())
    return functools.partial(shown, listing=moments <= LIST_MOMENTS_UP_TO)


def shown(journey: Journey, listing: bool) -> object:
    """What the overview shows of a journey: its title, review date and owner, its
    stages (milestones show their KPIs), and of each step what the golden milestones,
    the teams (`listing`: every moment, else their counts of moments and pain points
    and average emotion) and the evidence ranking show. Never: thoughts, feelings,
    the pain points' text, opportunities, arrows."""
    return (
        journey.id,
        journey.title,
        journey.reviewed,
        journey.owner,
        journey.personas,  # a persona's review shows the owners of its journeys
        tuple(stage_data(stage) for stage in journey.stages),
        tuple(
            (s.id, s.stage, s.owner, s.evidence, s.evidence_source, s.milestone, s.emotion)
            + (len(s.pain_points),)
            + ((s.touchpoint, s.action) if listing or s.milestone else ())
            for s in journey.steps
        ),
    )
