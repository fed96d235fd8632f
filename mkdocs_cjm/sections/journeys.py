"""The journeys index, `<prefix>/journeys/`, and a page per journey (its map, matrix,
flow diagram, emotions, KPIs, and the comparison with the journey it is the future of)."""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterator, Mapping, Sequence
from typing import Any

from markupsafe import Markup

from mkdocs_cjm.core.model import Journey
from mkdocs_cjm.core.pages import PageKind, PageRef
from mkdocs_cjm.render import chart
from mkdocs_cjm.render.canvas import build_canvas, key_moments, steps_in_map_order
from mkdocs_cjm.render.matrix import build_matrix
from mkdocs_cjm.site.base import SiteBase
from mkdocs_cjm.site.output import FlowNotice, GeneratedPage, LazyPage, flow_asset


def rows(journey: Journey) -> Hashable:
    """A journey's row on the index: title, personas, owner, pairing, counts, channels,
    average emotion."""
    return (
        journey.id,
        journey.title,
        journey.personas,
        journey.owner,
        journey.future_of,
        len(journey.stages),
        journey.channel_ids,
        tuple(step.emotion for step in journey.steps),
    )


def index_context(generator: SiteBase, rows: Sequence[Hashable]) -> Mapping[str, Any]:
    return {"paired_journeys": generator.paired_journeys()}


def journey_pages(generator: SiteBase) -> Iterator[LazyPage]:
    """Every journey's page; each shows its journey, and compares it with the journey
    it is the future of (whole journeys: no rows)."""
    layout = generator.options.layout
    futures_of = generator.playbook.futures_of
    for journey in generator.playbook.journeys:
        yield LazyPage(
            layout.src_uri(PageRef(PageKind.JOURNEY, journey.id)),
            functools.partial(journey_page_with_flow, generator, journey),
            frozenset(
                [journey.id, *([journey.future_of] if journey.future_of else [])]
                + [future.id for future in futures_of.get(journey.id, ())]
            ),
            flow_asset(journey.id),
        )


def journey_page_with_flow(generator: SiteBase, journey: Journey) -> GeneratedPage:
    """The journey's page; its flow diagram goes to the generator's `assets`."""
    return journey_page(generator, journey, generator.flow(journey))


def journey_page(generator: SiteBase, journey: Journey, svg: str | FlowNotice) -> GeneratedPage:
    page = PageRef(PageKind.JOURNEY, journey.id)
    comparison = generator.comparison(journey)
    channels = generator.index.channels_of(journey, generator.playbook)
    if isinstance(svg, FlowNotice):
        # No diagram: the template shows the notice in place of the figure.
        figure: dict[str, Any] = {"flow_notice": svg.text, "flow_file": ""}
    else:
        figure = {
            "flow_notice": None,
            "flow_file": generator.options.layout.asset_link(page, flow_asset(journey.id)),
            **generator.flow_figure(journey, svg),
        }
    labels = generator.labels
    markdown = generator.render_wide(
        "journey.md.j2",
        page,
        journey=journey,
        personas=generator.personas_of(journey),
        channels=channels,
        matrix=build_matrix(journey, generator.playbook),
        **figure,
        canvas=build_canvas(journey),
        key_moments=key_moments(journey),
        steps_in_order=steps_in_map_order(journey),
        step_by_id={step.id: step for step in journey.steps},
        review=generator.reviews.get(("journey", journey.id)),
        last_change=generator.history.get(journey.source.path),
        comparison=comparison,
        compare_svg=(
            Markup(chart.comparison_chart(comparison, labels, f"cjm-compare-{journey.id}"))
            if comparison
            else None
        ),
        front_matter=generator.front_matter(
            journey.title,
            *(persona.name for persona in generator.personas_of(journey)),
            *(channel.name for channel in channels),
        ),
        wide=generator.options.journey_layout == "wide",
    )
    return GeneratedPage(generator.options.layout.src_uri(page), markdown, journey.source.path)
