"""The registry of generated sections: one `View` entry per section of the playbook.

Navigation (`nav.py`, the plugin's `on_nav`), the overview's links, `mkdocs-cjm
export` (pages, stale-file cleanup, `--nav`) and the tests all iterate `VIEWS`,
so a new cross-journey page is one module here (its context) plus one template.
Modules import `SiteGenerator` for typing only: `generate.py` imports this registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mkdocs_cjm.core.model import Journey
from mkdocs_cjm.core.pages import PageKind
from mkdocs_cjm.sections import heatmap, kpis, overview, pain_points, teams

if TYPE_CHECKING:
    from mkdocs_cjm.site.generate import LazyPage, SiteGenerator

ContextBuilder = Callable[["SiteGenerator"], Mapping[str, Any]]
ItemPages = Callable[["SiteGenerator"], Iterable["LazyPage"]]


def no_context(generator: SiteGenerator) -> Mapping[str, Any]:
    return {}


@dataclass(frozen=True)
class View:
    """One generated section: an index page, and maybe a page per item."""

    name: str  # the index page's kind, and its folder under the prefix
    label: str  # key in i18n labels: its title in the navigation and on the overview
    template: str  # template of the index page
    context: ContextBuilder = no_context  # template variables of the index page
    # Its item pages, generated in the same folder: each says which journeys it shows.
    items: ItemPages | None = None
    item_kind: str = ""  # the kind of those pages (defaults to `name`)
    # What the index page shows of each journey (a comparable value; see
    # `generate.LazyPage.shows`), given the site's generator. None: it may show
    # anything of any journey.
    shows: Callable[[SiteGenerator], Callable[[Journey], object]] | None = None

    @property
    def folder(self) -> str:
        return "" if self.name == PageKind.OVERVIEW else self.name

    @property
    def page_kind(self) -> str:
        return self.item_kind or self.name


def _shown_on_journeys_index(journey: Journey) -> object:
    """A journey's row: title, personas, owner, pairing, counts, channels, average emotion."""
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


def _shown_on_personas_index(journey: Journey) -> object:
    return journey.id, journey.title, journey.personas


VIEWS: tuple[View, ...] = (
    View(PageKind.OVERVIEW, "playbook", "overview.md.j2", overview.context, shows=overview.shows),
    View(
        PageKind.JOURNEYS,
        "journeys",
        "journeys.md.j2",
        lambda generator: {"paired_journeys": generator.paired_journeys()},
        items=lambda generator: generator.journey_pages(),
        item_kind=PageKind.JOURNEY,
        shows=lambda generator: _shown_on_journeys_index,
    ),
    View(
        PageKind.PERSONAS,
        "personas",
        "personas.md.j2",
        items=lambda generator: generator.persona_pages(),
        item_kind=PageKind.PERSONA,
        shows=lambda generator: _shown_on_personas_index,
    ),
    View(
        PageKind.CHANNELS,
        "channels",
        "channels.md.j2",
        heatmap.channels_context,
        items=lambda generator: generator.channel_pages(),
        item_kind=PageKind.CHANNEL,
        shows=lambda generator: heatmap.shown,
    ),
    View(
        teams.KIND,
        "teams",
        "teams.md.j2",
        teams.index_context,
        items=teams.team_pages,
        shows=lambda generator: teams.shown_on_index,
    ),
    View(
        pain_points.KIND,
        "pain_point_register",
        "pain-points.md.j2",
        pain_points.context,
        items=pain_points.team_pages,
        shows=lambda generator: pain_points.shown,
    ),
    View(
        kpis.KIND,
        "kpi_board",
        "kpis.md.j2",
        kpis.context,
        items=kpis.status_pages,
        shows=lambda generator: kpis.shown,
    ),
)

SECTIONS: tuple[View, ...] = tuple(view for view in VIEWS if view.folder)
"""The views with a folder of their own, in navigation order (the overview is the prefix)."""

VIEW_BY_NAME: dict[str, View] = {view.name: view for view in VIEWS}
