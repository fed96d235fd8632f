"""Pre-rendered pieces for the big cross-journey pages.

A playbook of 600 journeys puts thousands of rows on the register, the KPI board,
the team and channel pages; a Jinja macro call per cell was most of their build
time. The macros in `partials/macros.html.j2` stay the single definition (and a
user's override of them still applies): the pieces that do not depend on the page
are rendered once through them here, and the pages that do (links) are memoised
per page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from mkdocs_cjm.core import text
from mkdocs_cjm.core.measure import KpiStatus
from mkdocs_cjm.core.model import EMOTION_MAX, EMOTION_MIN, Stage
from mkdocs_cjm.core.pages import PageRef

if TYPE_CHECKING:
    from mkdocs_cjm.site.base import SiteBase

_SCORES = (None, *range(EMOTION_MIN, EMOTION_MAX + 1))


class Snippets:
    def __init__(self, generator: SiteBase) -> None:
        self.generator = generator
        macros = self._macros(PageRef("overview"))
        self.emotion = {score: Markup(macros.emotion(score)) for score in _SCORES}
        self.kpi_status = {
            status: Markup(macros.kpi_status({"status": status})) for status in KpiStatus
        }
        self._text_list = functools.lru_cache(maxsize=1 << 14)(
            lambda items, empty: Markup(macros.text_list(items, empty))
        )
        self._kpi_lines: dict[int, Markup] = {}
        self._macros_module = macros

    def _macros(self, page: PageRef) -> Any:
        template = self.generator.env.get_template("partials/macros.html.j2")
        return template.make_module(self.generator.base_context(page))

    def text_list(self, items: tuple[str, ...], empty: str = "") -> Markup:
        return self._text_list(tuple(items), empty)

    def kpi_lines(self, stage: Stage) -> Markup:
        """A stage's KPIs as a list (the same on every page: no links)."""
        key = id(stage)
        if key not in self._kpi_lines:
            lines = "".join(self._macros_module.kpi_line(kpi) for kpi in stage.kpis)
            self._kpi_lines[key] = Markup(
                f'<ul class="cjm-kpi-lines">{lines}</ul>' if lines else ""
            )
        return self._kpi_lines[key]

    def context(self, link_team: Callable[[str | None], str]) -> Mapping[str, Any]:
        """Template functions of one page (`link_team` links from it): `team_link_html`
        memoised on it."""
        labels = self.generator.labels
        not_given = text.escape(labels["not_given"])

        @functools.cache
        def team_link_html(name: str | None) -> Markup:
            if not name:
                return not_given
            href = link_team(name)
            # text.escape, as templates print text: inert to Markdown and Jinja too.
            if not href:
                return text.escape(name)
            return Markup(
                f'<a class="cjm-team-link" href="{text.escape(href)}">{text.escape(name)}</a>'
            )

        return {
            "emotion_html": self.emotion,
            "kpi_status_html": self.kpi_status,
            "text_list_html": self.text_list,
            "kpi_lines_html": self.kpi_lines,
            "team_link_html": team_link_html,
        }
