"""Cross-references between maps: who meets which channel, which team owns which moment."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .model import Channel, Journey, Persona, Playbook, Step


@dataclass(frozen=True)
class StepRef:
    journey: Journey
    step: Step


@dataclass(frozen=True)
class CrossIndex:
    journeys_by_persona: dict[str, tuple[Journey, ...]]
    steps_by_channel: dict[str, tuple[StepRef, ...]]
    journeys_by_channel: dict[str, tuple[Journey, ...]]
    personas_by_channel: dict[str, tuple[Persona, ...]]
    steps_by_team: dict[str, tuple[StepRef, ...]]

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
    return CrossIndex(
        journeys_by_persona={key: tuple(value) for key, value in journeys_by_persona.items()},
        steps_by_channel={key: tuple(value) for key, value in steps_by_channel.items()},
        journeys_by_channel=journeys_by_channel,
        personas_by_channel=personas_by_channel,
        steps_by_team={key: tuple(value) for key, value in sorted(steps_by_team.items())},
    )
