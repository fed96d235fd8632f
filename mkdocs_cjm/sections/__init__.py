"""The registry of generated sections: one `View` entry per section of the playbook.

Every generated page belongs to an entry: its index page, and its item pages
(journey, persona, channel, team pages...). Navigation (`nav.py`, the plugin's
`on_nav`), the overview's links, `mkdocs-cjm export` (pages, stale-file cleanup,
`--nav`) and the tests all iterate `VIEWS`, so a new cross-journey page is one
module here plus one template.

A cross-journey page is `rows(journey) -> render(rows)`: the section's pure `rows`
function gives what one journey contributes to the page (hashable, compared with
==), and the page is rendered from the rows of every journey (`context` is given
them). The fast rebuild (`incremental.plan`) compares a changed journey's rows
before and after an edit to decide which pages to render again.

Section modules build their pages with `site.base.SiteBase` (never `generate.py`,
which imports this registry).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mkdocs_cjm.core.model import Journey
from mkdocs_cjm.core.pages import PageKind
from mkdocs_cjm.sections import (
    channels,
    heatmap,
    journeys,
    kpis,
    overview,
    pain_points,
    personas,
    teams,
)
from mkdocs_cjm.site.base import SiteBase
from mkdocs_cjm.site.output import LazyPage

Rows = Callable[[Journey], Hashable]
# The index page's template variables, given the generator and the rows of every
# journey (in playbook order).
ContextBuilder = Callable[[SiteBase, Sequence[Hashable]], Mapping[str, Any]]
ItemPages = Callable[[SiteBase], Iterable[LazyPage]]


def no_context(generator: SiteBase, journey_rows: Sequence[Hashable]) -> Mapping[str, Any]:
    return {}


@dataclass(frozen=True)
class View:
    """One generated section: an index page, and maybe a page per item."""

    name: str  # the index page's kind, and its folder under the prefix
    label: str  # key in i18n labels: its title in the navigation and on the overview
    template: str  # template of the index page
    context: ContextBuilder = no_context  # template variables of the index page
    # Its item pages, generated in the same folder: each says which journeys it shows
    # and gives its own rows (`LazyPage.rows`).
    items: ItemPages | None = None
    item_kind: str = ""  # the kind of those pages (defaults to `name`)
    # What one journey contributes to the index page (see above). None: the page may
    # show anything of any journey.
    rows: Rows | None = None

    @property
    def folder(self) -> str:
        return "" if self.name == PageKind.OVERVIEW else self.name

    @property
    def page_kind(self) -> str:
        return self.item_kind or self.name


VIEWS: tuple[View, ...] = (
    View(PageKind.OVERVIEW, "playbook", "overview.md.j2", overview.context, rows=overview.rows),
    View(
        PageKind.JOURNEYS,
        "journeys",
        "journeys.md.j2",
        journeys.index_context,
        items=journeys.journey_pages,
        item_kind=PageKind.JOURNEY,
        rows=journeys.rows,
    ),
    View(
        PageKind.PERSONAS,
        "personas",
        "personas.md.j2",
        items=personas.persona_pages,
        item_kind=PageKind.PERSONA,
        rows=personas.rows,
    ),
    View(
        PageKind.CHANNELS,
        "channels",
        "channels.md.j2",
        heatmap.channels_context,
        items=channels.channel_pages,
        item_kind=PageKind.CHANNEL,
        rows=heatmap.rows,
    ),
    View(
        teams.KIND,
        "teams",
        "teams.md.j2",
        teams.index_context,
        items=teams.team_pages,
        rows=teams.rows,
    ),
    View(
        pain_points.KIND,
        "pain_point_register",
        "pain-points.md.j2",
        pain_points.context,
        items=pain_points.team_pages,
        rows=pain_points.rows,
    ),
    View(
        kpis.KIND,
        "kpi_board",
        "kpis.md.j2",
        kpis.context,
        items=kpis.status_pages,
        rows=kpis.rows,
    ),
)

SECTIONS: tuple[View, ...] = tuple(view for view in VIEWS if view.folder)
"""The views with a folder of their own, in navigation order (the overview is the prefix)."""

VIEW_BY_NAME: dict[str, View] = {view.name: view for view in VIEWS}
