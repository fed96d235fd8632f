"""The overview page, `<prefix>/`: counts, links to every section, the teams and the
golden milestones with the KPIs of their stage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..evidence import rank_by_weak_evidence
from ..model import Journey, Playbook, Stage, Step, stage_data

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


def context(generator: SiteGenerator) -> Mapping[str, Any]:
    return {
        "teams": list(generator.index.steps_by_team.items()),
        "team_slug": lambda name: generator.index.teams[name].slug,
        "milestones": milestones(generator.playbook),
        "stale_reviews": generator.stale_reviews(),
        "evidence_ranking": rank_by_weak_evidence(generator.playbook.journeys),
    }


def shown(journey: Journey) -> object:
    """What the overview shows of a journey: its title, review date and owner, its
    stages (milestones show their KPIs), and of each step what the golden milestones,
    the teams' moments and the evidence ranking show. Not: thoughts, feelings, pain
    points, opportunities, arrows."""
    return (
        journey.id,
        journey.title,
        journey.reviewed,
        journey.owner,
        tuple(stage_data(stage) for stage in journey.stages),
        tuple(
            (s.id, s.stage, s.owner, s.touchpoint, s.action, s.evidence, s.milestone, s.emotion)
            for s in journey.steps
        ),
    )
