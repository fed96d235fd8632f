"""A page per channel, `<prefix>/channels/<id>/`: the journeys that use it, their
steps on it by stage, and the personas met there. (The channels index, with its
heatmap, is `heatmap.py`.)

The page is rendered from its rows: what each journey contributes (`ChannelUse`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from mkdocs_cjm.core.index import StepRef
from mkdocs_cjm.core.model import Channel, Journey, Measurement, Stage, Step, stage_data
from mkdocs_cjm.core.pages import PageKind, PageRef
from mkdocs_cjm.site.base import SiteBase
from mkdocs_cjm.site.output import GeneratedPage, LazyPage


@dataclass(frozen=True)
class ChannelUse:
    """A journey's row on a channel's page: its title and personas, the stages that
    have steps on the channel (with their KPIs' data), and those steps in its order."""

    journey: str
    title: str
    personas: tuple[str, ...]
    stages: tuple[tuple[Stage, tuple[tuple[Measurement, ...], ...]], ...]
    steps: tuple[Step, ...]


def rows(channel_id: str, journey: Journey) -> ChannelUse | None:
    """What `journey` contributes to the page of channel `channel_id` (None: nothing)."""
    steps = tuple(step for step in journey.steps if step.channel == channel_id)
    if not steps:
        return None
    used = {step.stage for step in steps}
    return ChannelUse(
        journey.id,
        journey.title,
        journey.personas,
        tuple(stage_data(stage) for stage in journey.stages if stage.id in used),
        steps,
    )


def context_of(
    generator: SiteBase, channel: Channel, uses: Iterable[ChannelUse | None]
) -> dict[str, Any]:
    """What a channel's page (and `partials/channel_uses.html.j2`) needs besides the
    channel, from the rows of the journeys."""
    playbook = generator.playbook
    found = [use for use in uses if use is not None]
    journeys = tuple(playbook.journey_by_id[use.journey] for use in found)
    by_journey = {use.journey: use for use in found}

    def uses_by_stage(journey: Journey) -> list[tuple[Stage, list[Step]]]:
        use = by_journey.get(journey.id)
        if use is None:
            return []
        grouped = [
            (stage, [step for step in use.steps if step.stage == stage.id])
            for stage, _ in use.stages
        ]
        return [(stage, steps) for stage, steps in grouped if steps]

    persona_ids = sorted({persona for use in found for persona in use.personas})
    return {
        "channel": channel,
        "uses": tuple(
            StepRef(journey, step)
            for journey, use in zip(journeys, found, strict=True)
            for step in use.steps
        ),
        "journeys": journeys,
        "personas": tuple(playbook.persona_by_id[persona] for persona in persona_ids),
        "uses_by_stage": uses_by_stage,
    }


def channel_context(generator: SiteBase, channel: Channel) -> dict[str, Any]:
    """The page's context, from the rows of the journeys that use the channel."""
    journeys = generator.index.journeys_by_channel.get(channel.id, ())
    return context_of(generator, channel, (rows(channel.id, journey) for journey in journeys))


def channel_pages(generator: SiteBase) -> Iterator[LazyPage]:
    by_channel = generator.index.journeys_by_channel
    for channel in generator.playbook.channels:
        yield LazyPage(
            generator.options.layout.src_uri(PageRef(PageKind.CHANNEL, channel.id)),
            functools.partial(channel_page, generator, channel),
            frozenset(journey.id for journey in by_channel.get(channel.id, ())),
            rows=functools.partial(rows, channel.id),
        )


def channel_page(generator: SiteBase, channel: Channel) -> GeneratedPage:
    page = PageRef(PageKind.CHANNEL, channel.id)
    markdown = generator.render_wide(
        "channel.md.j2",
        page,
        wide=generator.playbook_wide,
        **channel_context(generator, channel),
        front_matter=generator.front_matter(channel.name, channel.name),
    )
    return GeneratedPage(generator.options.layout.src_uri(page), markdown, channel.source.path)
