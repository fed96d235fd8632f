"""A validated playbook -> the Markdown pages and assets of the generated section.

Pure apart from Graphviz (through `DiagramRenderer`): no MkDocs here, so the
plugin, `mkdocs-cjm export` and the tests all produce the same pages.

`SiteGenerator` walks the registry of sections (`mkdocs_cjm.sections.VIEWS`): each
section's index page, rendered from the rows of every journey, and its item pages.
The helpers the pages are built with are `base.SiteBase`'s; the page and option
types are in `output.py`, the Jinja environment in `jinja.py`, the HTML blocks in
`blocks.py` (all re-exported here, where the glue has always imported them).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

from mkdocs_cjm.core.freshness import FileChange
from mkdocs_cjm.core.model import Playbook
from mkdocs_cjm.core.pages import PageRef
from mkdocs_cjm.render.diagrams import DiagramRenderer
from mkdocs_cjm.sections import SECTIONS, VIEWS, View
from mkdocs_cjm.site.base import SiteBase
from mkdocs_cjm.site.blocks import expand_blocks, search_text, split_blocks
from mkdocs_cjm.site.jinja import TemplateProblem, check_templates, make_environment
from mkdocs_cjm.site.output import (
    JOURNEY_HIDE,
    WIDE_HOOK,
    FlowNotice,
    GeneratedAsset,
    GeneratedPage,
    LazyPage,
    SiteOptions,
    diagram_size,
    flow_asset,
    oversized_diagram_warning,
    static_assets,
)
from mkdocs_cjm.site.output import front_matter as _front_matter
from mkdocs_cjm.site.output import wide as _wide

__all__ = [
    "JOURNEY_HIDE",
    "WIDE_HOOK",
    "FlowNotice",
    "GeneratedAsset",
    "GeneratedPage",
    "LazyPage",
    "SiteGenerator",
    "SiteOptions",
    "TemplateProblem",
    "_front_matter",
    "_wide",
    "check_templates",
    "diagram_size",
    "expand_blocks",
    "flow_asset",
    "generate_site",
    "make_environment",
    "oversized_diagram_warning",
    "search_text",
    "split_blocks",
    "static_assets",
]


class SiteGenerator(SiteBase):
    """The section's pages: every view of the registry, its index and item pages."""

    @property
    def sections(self) -> tuple[View, ...]:
        return SECTIONS  # read when used: benchmarks/measure.py swaps the registry

    def lazy_pages(self) -> list[LazyPage]:
        """Every page of the section, in order, not rendered yet."""
        layout = self.options.layout
        pages: list[LazyPage] = []
        every_journey = frozenset(journey.id for journey in self.playbook.journeys)
        for view in VIEWS:
            pages.append(
                LazyPage(
                    layout.src_uri(PageRef(view.name)),
                    functools.partial(self.view_index, view),
                    every_journey if view.rows is not None else None,
                    rows=view.rows,
                )
            )
            if view.items is not None:
                pages += view.items(self)
        return pages

    def view_index(self, view: View) -> GeneratedPage:
        """A view's index page, rendered from the rows of every journey."""
        page = PageRef(view.name)
        journey_rows = self.rows_of(view.rows) if view.rows is not None else []
        markdown = self.render_wide(
            view.template, page, wide=self.playbook_wide, **view.context(self, journey_rows)
        )
        return GeneratedPage(self.options.layout.src_uri(page), markdown)

    def generate(self) -> tuple[list[GeneratedPage], list[GeneratedAsset]]:
        self.assets = []
        self.draw_flows(self.playbook.journeys)  # in one batch: `dot` runs them in parallel
        self.lazy = self.lazy_pages()
        pages = [self.build(page) for page in self.lazy]
        return pages, [*self.assets, *static_assets()]


def generate_site(
    playbook: Playbook,
    options: SiteOptions,
    renderer: DiagramRenderer,
    history: Mapping[str, FileChange] | None = None,
    warn: Callable[[str], None] | None = None,
) -> tuple[list[GeneratedPage], list[GeneratedAsset]]:
    """The section's pages; `history` gives each map file's last change (see
    `freshness.map_history`), keyed by the path its `source` shows; `warn` is told
    what the build should warn about."""
    return SiteGenerator(playbook, options, renderer, history, warn).generate()
