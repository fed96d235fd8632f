"""The overview page, `<prefix>/`: the playbook's landscape (every journey on the
lifecycle's phases), a "start here" line to the team pages, links to every section, the
golden milestones with the KPIs of their stage, the teams, then maintenance lists."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from mkdocs_cjm.core.evidence import rank_by_weak_evidence
from mkdocs_cjm.core.measure import KpiStatus
from mkdocs_cjm.core.model import Journey, Kpi, Playbook, Stage, Step, stage_data
from mkdocs_cjm.render.sparkline import sparkline_svg
from mkdocs_cjm.sections.teams import summary
from mkdocs_cjm.site.base import SiteBase


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


def worst_moment(journey: Journey) -> Step | None:
    """The lowest-emotion step (the first of equals), or None when no step is rated."""
    rated = [step for step in journey.steps if step.emotion is not None]
    return min(rated, key=lambda step: (step.emotion, step.index)) if rated else None


def kpis_below_target(journey: Journey) -> tuple[Kpi, ...]:
    return tuple(
        kpi for stage in journey.stages for kpi in stage.kpis if kpi.status is KpiStatus.BELOW
    )


def phases_used(journey: Journey, playbook: Playbook) -> tuple[str, ...]:
    """The phase ids of the journey's stages in lifecycle order; () when none has one."""
    used = {stage.phase for stage in journey.stages if stage.phase}
    return tuple(phase.id for phase in playbook.phases if phase.id in used)


@dataclass(frozen=True)
class LandscapeEntry:
    """One journey on the landscape: where its band sits and what it says."""

    journey: Journey
    phases: tuple[str, ...]  # the phase ids it uses, in order; () for none
    column: str  # CSS grid-column of its band among the landscape's columns
    sparkline: Markup
    worst: Step | None
    below: tuple[Kpi, ...]
    by_phase: int  # its place when grouped by phase (CSS order)
    by_persona: int  # ... and by persona


@dataclass(frozen=True)
class LandscapeGroup:
    """A group's heading: a phase (where journeys start) or a persona."""

    grouping: str  # "phase" or "persona"
    key: str  # phase id, persona id, or "" (no phase, no persona)
    order: int  # its place in its grouping (CSS order)


@dataclass(frozen=True)
class Landscape:
    columns: tuple[str, ...]  # the phases used, in order; "" last when a journey has none
    entries: tuple[LandscapeEntry, ...]  # grouped by phase: the order without CSS
    groups: tuple[LandscapeGroup, ...]

    @property
    def items(self) -> list[LandscapeEntry | LandscapeGroup]:
        """Entries and headings as the page writes them: grouped by phase, each phase's
        heading first (so they read in order without CSS), the persona headings last
        (CSS moves them, shown only when grouped by persona)."""
        phase_groups = [group for group in self.groups if group.grouping == "phase"]
        items: list[LandscapeEntry | LandscapeGroup] = [*phase_groups, *self.entries]
        items.sort(
            key=lambda item: item.order if isinstance(item, LandscapeGroup) else item.by_phase
        )
        return items + [group for group in self.groups if group.grouping == "persona"]


def landscape(playbook: Playbook, labels: Mapping[str, str]) -> Landscape:
    used = {journey.id: phases_used(journey, playbook) for journey in playbook.journeys}
    seen = {phase for phases in used.values() for phase in phases}
    columns = tuple(phase.id for phase in playbook.phases if phase.id in seen)
    if any(not phases for phases in used.values()):
        columns += ("",)
    position = {phase: index for index, phase in enumerate(columns)}

    def start(journey: Journey) -> str:
        return used[journey.id][0] if used[journey.id] else ""

    def first_persona(journey: Journey) -> str:
        return journey.personas[0] if journey.personas else ""

    by_phase = sorted(playbook.journeys, key=lambda j: (position[start(j)], j.title, j.id))
    persona_rank = {persona.id: i for i, persona in enumerate(playbook.personas)}
    persona_rank[""] = len(persona_rank)
    by_persona = sorted(
        playbook.journeys, key=lambda j: (persona_rank[first_persona(j)], j.title, j.id)
    )
    groups: list[LandscapeGroup] = []
    phase_order: dict[str, int] = {}
    for journey in by_phase:  # a heading before the first journey of each group
        if (key := start(journey)) not in {g.key for g in groups if g.grouping == "phase"}:
            groups.append(LandscapeGroup("phase", key, len(phase_order)))
            phase_order[f"group:{key}"] = len(phase_order)
        phase_order[journey.id] = len(phase_order)
    persona_order: dict[str, int] = {}
    persona_groups: list[LandscapeGroup] = []
    for journey in by_persona:
        if (key := first_persona(journey)) not in {g.key for g in persona_groups}:
            persona_groups.append(LandscapeGroup("persona", key, len(persona_order)))
            persona_order[f"group:{key}"] = len(persona_order)
        persona_order[journey.id] = len(persona_order)
    entries = []
    for journey in by_phase:
        phases = used[journey.id]
        first, last = (position[phases[0]], position[phases[-1]]) if phases else (position[""],) * 2
        entries.append(
            LandscapeEntry(
                journey,
                phases,
                f"{first + 2} / span {last - first + 1}",  # column 1 holds the journey's facts
                Markup(sparkline_svg(journey, labels)),
                worst_moment(journey),
                kpis_below_target(journey),
                phase_order[journey.id],
                persona_order[journey.id],
            )
        )
    return Landscape(columns, tuple(entries), (*groups, *persona_groups))


# Past this many journeys the landscape counts each journey's KPIs below target instead
# of naming them (the journey page names them): the home stays well under 1 MB at 600.
LANDSCAPE_NAMES_KPIS_UP_TO = 150

# Teams named in the "start here" line; past it, the line ends with a link to all of them.
START_HERE_TEAMS = 6

# Past this many moments, the overview lists the teams with their counts (as the teams
# index does) instead of every moment: at 600 journeys the list alone passed 3 MB.
LIST_MOMENTS_UP_TO = 500


def context(generator: SiteBase, journey_rows: Sequence[Hashable]) -> Mapping[str, Any]:
    """The overview. Its parts (landscape, milestones, teams, reviews, evidence) read
    the playbook and its index; `rows` declares every part of a journey they show."""
    moments = sum(len(refs) for refs in generator.index.steps_by_team.values())
    return {
        "teams": list(generator.index.steps_by_team.items()),
        "list_moments": moments <= LIST_MOMENTS_UP_TO,
        "team_summaries": [summary(team) for team in generator.index.teams.values()],
        "team_slug": lambda name: generator.index.teams[name].slug,
        "milestones": milestones(generator.playbook),
        "stale_reviews": generator.stale_reviews(),
        "evidence_ranking": rank_by_weak_evidence(generator.playbook.journeys),
        "landscape": landscape(generator.playbook, generator.labels),
        "landscape_kpi_names": len(generator.playbook.journeys) <= LANDSCAPE_NAMES_KPIS_UP_TO,
        "start_here_teams": list(generator.index.teams)[:START_HERE_TEAMS],
        "more_teams": len(generator.index.teams) > START_HERE_TEAMS,
        "team_count": len(generator.index.teams),
    }


def rows(journey: Journey) -> Hashable:
    """What the overview shows of a journey: its title, review date and owner, its
    stages (milestones show their KPIs; the landscape their phases and KPIs below
    target), and of each step what the golden milestones, the teams (every moment
    with its touchpoint and action, or, past `LIST_MOMENTS_UP_TO`, their counts of
    moments and pain points and average emotion), the evidence ranking and the
    landscape (every emotion; the worst moment's words) show. Never: thoughts, the
    pain points' text, opportunities, arrows."""
    worst = worst_moment(journey)
    return (
        journey.id,
        journey.title,
        journey.reviewed,
        journey.owner,
        journey.personas,  # a persona's review shows the owners of its journeys
        tuple(stage_data(stage) for stage in journey.stages),
        tuple(
            (
                s.id,
                s.stage,
                s.owner,
                s.evidence,
                s.evidence_source,
                s.milestone,
                s.emotion,
                len(s.pain_points),
                s.touchpoint,
                s.action,
            )
            for s in journey.steps
        ),
        (worst.id, worst.touchpoint, worst.action, worst.feeling) if worst else None,
    )
