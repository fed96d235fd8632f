"""Cross-references between maps: who meets which channel, which team owns which moment."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from mkdocs_cjm.core.loader import suggest_id
from mkdocs_cjm.core.model import Channel, Journey, Persona, Playbook, Step


@dataclass(frozen=True)
class StepRef:
    journey: Journey
    step: Step


@dataclass(frozen=True)
class Team:
    """Anyone named as an `owner` in the maps (of a journey, a step or a channel)."""

    name: str
    slug: str  # readable ASCII, unique in the playbook: its page's URL
    journeys: tuple[Journey, ...]  # journeys it owns
    channels: tuple[Channel, ...]  # channels it runs
    steps: tuple[StepRef, ...]  # moments it owns: its own steps, and its channels' unowned ones


SLUG_MAX = 60


def page_name(name: str) -> str:
    """The slug a team name asks for, before -2, -3... make it unique: two names with
    the same page name ("Care", "Care!") get their slugs in name order."""
    # Cut to a length every file system takes as a file name (with its suffixes).
    return suggest_id(name)[:SLUG_MAX].rstrip("-") or "team"


def team_slugs(names: list[str]) -> dict[str, str]:
    """A readable ASCII slug per team name ("Chăm sóc khách hàng" -> "cham-soc-khach-hang"),
    made unique with -2, -3... in name order when two names slug alike."""
    slugs: dict[str, str] = {}
    # File names MkDocs reads as a folder's index page, and the register's page of
    # unowned pain points (which shares its folder with the teams' register pages).
    taken = {"index", "readme", "no-owner"}
    for name in sorted(names, key=lambda name: (suggest_id(name), name)):
        base = page_name(name)
        slug, number = base, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        taken.add(slug)
        slugs[name] = slug
    return slugs


@dataclass(frozen=True)
class CrossIndex:
    journeys_by_persona: dict[str, tuple[Journey, ...]]
    steps_by_channel: dict[str, tuple[StepRef, ...]]
    journeys_by_channel: dict[str, tuple[Journey, ...]]
    personas_by_channel: dict[str, tuple[Persona, ...]]
    steps_by_team: dict[str, tuple[StepRef, ...]]
    teams: dict[str, Team]  # by name, in name order

    def channels_of(self, journey: Journey, playbook: Playbook) -> tuple[Channel, ...]:
        return tuple(playbook.channel_by_id[channel_id] for channel_id in journey.channel_ids)


def build_index(playbook: Playbook) -> CrossIndex:
    journeys_by_persona: dict[str, list[Journey]] = defaultdict(list)
    steps_by_channel: dict[str, list[StepRef]] = defaultdict(list)
    steps_by_team: dict[str, list[StepRef]] = defaultdict(list)
    for journey in playbook.journeys:
        for persona_id in journey.personas:
            journeys_by_persona[persona_id].append(journey)
        for step in journey.steps:
            steps_by_channel[step.channel].append(StepRef(journey, step))
            if step.owner:
                steps_by_team[step.owner].append(StepRef(journey, step))

    # By id: hashing a frozen Journey hashes all its steps, once per step here.
    journeys_by_channel = {
        channel_id: tuple({ref.journey.id: ref.journey for ref in refs}.values())
        for channel_id, refs in steps_by_channel.items()
    }
    personas_by_channel = {
        channel_id: tuple(
            playbook.persona_by_id[persona_id]
            for persona_id in sorted({p for journey in journeys for p in journey.personas})
        )
        for channel_id, journeys in journeys_by_channel.items()
    }
    journeys_by_team: dict[str, list[Journey]] = defaultdict(list)
    for journey in playbook.journeys:
        if journey.owner:
            journeys_by_team[journey.owner].append(journey)
    channels_by_team: dict[str, list[Channel]] = defaultdict(list)
    for channel in playbook.channels:
        if channel.owner:
            channels_by_team[channel.owner].append(channel)
    # In the order of their readable slugs, so "Đội CRM" files under D, not after Z.
    names = sorted(
        {*steps_by_team, *journeys_by_team, *channels_by_team},
        key=lambda name: (suggest_id(name), name),
    )
    slugs = team_slugs(names)
    teams = {
        name: Team(
            name,
            slugs[name],
            tuple(journeys_by_team.get(name, ())),
            tuple(channels_by_team.get(name, ())),
            tuple(steps_by_team.get(name, ())),
        )
        for name in names
    }
    return CrossIndex(
        journeys_by_persona={key: tuple(value) for key, value in journeys_by_persona.items()},
        steps_by_channel={key: tuple(value) for key, value in steps_by_channel.items()},
        journeys_by_channel=journeys_by_channel,
        personas_by_channel=personas_by_channel,
        steps_by_team={key: tuple(value) for key, value in sorted(steps_by_team.items())},
        teams=teams,
    )
