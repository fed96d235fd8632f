"""The helpers every generated page is built with (`SiteBase`).

Sections (`mkdocs_cjm.sections`) import this module, never `generate.py`: it
imports no section, so there is no import circle between the registry and the
generator that walks it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import jinja2
from markupsafe import Markup

from mkdocs_cjm.core.compare import Comparison, compare
from mkdocs_cjm.core.evidence import count_evidence
from mkdocs_cjm.core.freshness import (
    FileChange,
    Review,
    ReviewPolicy,
    needing_review,
    resolve_today,
    reviews,
)
from mkdocs_cjm.core.index import CrossIndex, build_index
from mkdocs_cjm.core.model import Journey, Persona, Playbook
from mkdocs_cjm.core.pages import PageKind, PageRef, relative_url
from mkdocs_cjm.render import chart, flow
from mkdocs_cjm.render.diagrams import DiagramRenderer, DiagramTimeout
from mkdocs_cjm.render.emotion import SCALE, average
from mkdocs_cjm.site.blocks import (
    marked_htmlblock,
    marked_late_cells,
    marked_lateblock,
    split_blocks,
)
from mkdocs_cjm.site.jinja import BLANK_LINES, TEMPLATE_ERRORS, make_environment, template_problem
from mkdocs_cjm.site.output import (
    FlowNotice,
    GeneratedAsset,
    GeneratedPage,
    LazyPage,
    SiteOptions,
    diagram_size,
    flow_asset,
    front_matter,
    oversized_diagram_warning,
)
from mkdocs_cjm.site.output import wide as wide_page
from mkdocs_cjm.site.snippets import Snippets

# The kind (and folder) of the team pages: `sections/teams.py`'s `KIND`.
TEAM_KIND = "teams"

RowT = TypeVar("RowT")


class SiteBase:
    """What every page of the section is built with: the playbook and its cross-index,
    the templates, the flow diagrams, and the helpers that render a page.

    The sections (`mkdocs_cjm.sections`) build their pages with it; `SiteGenerator`
    (generate.py) adds the registry's walk. This module imports no section, so the
    sections can import it.
    """

    @property
    def sections(self) -> Sequence[Any]:
        """The registry's sections, for the overview's links (`sections` in every
        page's context): `SiteGenerator`'s."""
        return ()

    def __init__(
        self,
        playbook: Playbook,
        options: SiteOptions,
        renderer: DiagramRenderer,
        history: Mapping[str, FileChange] | None = None,
        warn: Callable[[str], None] | None = None,
        env: jinja2.Environment | None = None,
    ) -> None:
        """`env`: the environment of an earlier generator with the same options, whose
        compiled templates are then reused (under `mkdocs serve`)."""
        self.playbook: Playbook = playbook
        self.options = options
        self.renderer = renderer
        # Last change of each map file, by its path as the map's `source` shows it.
        self.history = history or {}
        self.review_policy = options.review_policy or ReviewPolicy(resolve_today())
        self.reviews = reviews(playbook, self.review_policy)
        self.warn = warn or (lambda message: None)
        self.index: CrossIndex = build_index(playbook)
        self.env = env or make_environment(options)
        if options.ready_html:
            self.env.filters["htmlblock"] = marked_htmlblock
            self.env.filters["lateblock"] = marked_lateblock
            self.env.filters["latecells"] = marked_late_cells
        self.labels = options.labels
        self.assets: list[GeneratedAsset] = []  # filled while pages are generated
        self._flows: dict[str, str | FlowNotice] = {}  # journey id: its flow SVG, or why none
        self.lazy: list[LazyPage] = []  # the pages `generate` made
        self.snippets = Snippets(self)

    def page_context(self, page: PageRef | str) -> dict[str, Any]:
        """Template context of a generated page, or (given its site-relative URL) of any
        page that embeds a view: links are relative to it."""
        context = self.base_context(page)
        context.update(self.snippets.context(context["link_team"]))
        return context

    def base_context(self, page: PageRef | str) -> dict[str, Any]:
        layout, playbook, index = self.options.layout, self.playbook, self.index

        def link(kind: str, item_id: str = "", anchor: str = "") -> str:
            if isinstance(page, str):
                target = relative_url(page, layout.url(PageRef(kind, item_id)))
                return target + (f"#{anchor}" if anchor else "")
            return layout.link(page, PageRef(kind, item_id), anchor)

        def link_team(name: str | None) -> str:
            """Relative link to a team's page ("" for a name no map gives as an owner)."""
            team = index.teams.get(name) if name else None
            return link(TEAM_KIND, team.slug) if team else ""

        return {
            "labels": self.labels,
            "playbook": playbook,
            "emotion_scale": SCALE,
            "sections": self.sections,
            "link_journey": functools.partial(link, PageKind.JOURNEY),
            "link_persona": functools.partial(link, PageKind.PERSONA),
            "link_channel": functools.partial(link, PageKind.CHANNEL),
            "link_team": link_team,
            "link_index": link,
            "channel_of": lambda step: playbook.channel_by_id[step.channel],
            "channels_of": lambda journey: index.channels_of(journey, playbook),
            "personas_of": self.personas_of,
            "journeys_of_persona": lambda persona: index.journeys_by_persona.get(persona.id, ()),
            "journeys_of_channel": lambda channel: index.journeys_by_channel.get(channel.id, ()),
            "steps_of_channel": lambda channel: index.steps_by_channel.get(channel.id, ()),
            "average_emotion": self.average_emotion,
            "review_policy": self.review_policy,
            "review_of": lambda kind, item_id: self.reviews.get((kind, item_id)),
            "evidence_of": count_evidence,
            "current_of": lambda journey: playbook.journey_by_id.get(journey.future_of or ""),
            "futures_of": lambda journey: playbook.futures_of.get(journey.id, ()),
            "format_average": self.format_average,
            "phase_name": self.phase_name,
        }

    def phase_name(self, phase_id: str | None) -> str:
        """A phase's label: the playbook's own, or the site language's for the defaults."""
        phase = self.playbook.phase_by_id.get(phase_id) if phase_id else None
        if phase is not None and phase.label:
            return phase.label
        return str(self.labels.get(f"phase_{phase_id or 'none'}", phase_id))

    def personas_of(self, journey: Journey) -> tuple[Persona, ...]:
        return tuple(self.playbook.persona_by_id[pid] for pid in journey.personas)

    def average_emotion(self, journey: Journey) -> str:
        return self.format_average(average(step.emotion for step in journey.steps))

    def format_average(self, value: float | None) -> str:
        return f"{value:g}/5" if value is not None else str(self.labels["not_given"])

    def render(self, template: str, page: PageRef, **context: Any) -> str:
        try:
            markdown = self.env.get_template(template).render(**self.page_context(page), **context)
        except TEMPLATE_ERRORS as error:
            raise template_problem(error, template, self.options) from None
        return BLANK_LINES.sub("\n\n", markdown).strip() + "\n"

    def render_wide(self, template: str, page: PageRef, *, wide: bool, **context: Any) -> str:
        """`render`, laid out wide when `wide` (see `output.wide`)."""
        markdown = self.render(template, page, **context)
        return wide_page(markdown) if wide else markdown

    @property
    def playbook_wide(self) -> bool:
        return self.options.playbook_layout == "wide"

    def front_matter(self, title: str, *tags: str, hide: Sequence[str] = ()) -> Markup:
        return front_matter(title, list(tags) if self.options.tags else [], hide)

    def build(self, page: LazyPage) -> GeneratedPage:
        """`page` rendered (its flow diagram, if any, added to `assets`)."""
        built = page.build()
        if not self.options.ready_html:
            return built
        markdown, blocks = split_blocks(built.src_uri, built.markdown)
        return GeneratedPage(built.src_uri, markdown, built.source, blocks)

    def stale_reviews(self) -> list[Review]:
        return needing_review(self.reviews.values())

    def paired_journeys(self) -> list[Journey]:
        """Journeys in id order, each current one followed by its futures."""
        playbook = self.playbook
        ordered: list[Journey] = []

        def add(journey: Journey) -> None:
            if journey in ordered:
                return
            ordered.append(journey)
            for future in playbook.futures_of.get(journey.id, ()):
                add(future)

        for journey in playbook.journeys:
            if journey.future_of not in playbook.journey_by_id:
                add(journey)
        return ordered

    def comparison(self, journey: Journey) -> Comparison | None:
        current = self.playbook.journey_by_id.get(journey.future_of or "")
        return compare(current, journey) if current is not None else None

    def draw_flows(self, journeys: Sequence[Journey]) -> None:
        """Render the flow diagrams of `journeys` (each is kept for its page); a journey
        that cannot be drawn gets the notice shown instead, and a warning."""
        limit = self.options.diagram_max_size
        drawn = [journey for journey in journeys if diagram_size(journey) <= limit]
        rendered = self.renderer.render_each(
            [flow.flow_dot(journey, self.playbook, self.labels) for journey in drawn]
        )
        results = dict(zip((journey.id for journey in drawn), rendered, strict=True))
        for journey in journeys:
            result = results.get(journey.id)
            if isinstance(result, str):
                self._flows[journey.id] = result
            elif isinstance(result, DiagramTimeout):
                self.warn(
                    f"{journey.source.path}: the flow diagram of journey '{journey.id}' is not "
                    f"drawn: {result} (plugin option graphviz_timeout); the page shows a notice "
                    "instead (split the journey, or raise graphviz_timeout)"
                )
                notice = self.labels["flow_timed_out"].format(seconds=f"{result.seconds:g}")
                self._flows[journey.id] = FlowNotice(notice)
            else:
                self.warn(oversized_diagram_warning(journey, limit) or "")
                notice = self.labels["flow_too_large"].format(
                    steps=len(journey.steps),
                    arrows=len(journey.edges),
                    size=diagram_size(journey),
                    limit=limit,
                )
                self._flows[journey.id] = FlowNotice(notice)

    def rows_of(
        self, rows: Callable[[Journey], RowT], journeys: Iterable[Journey] | None = None
    ) -> list[RowT]:
        """The rows of `journeys` (default: every journey, in playbook order) on a page
        whose rows `rows` gives: what the page is rendered from."""
        return [
            rows(journey) for journey in (self.playbook.journeys if journeys is None else journeys)
        ]

    def flow(self, journey: Journey) -> str | FlowNotice:
        """The journey's flow diagram (drawn now unless `draw_flows` did), added to
        `assets`, or the notice shown instead."""
        if journey.id not in self._flows:
            self.draw_flows([journey])
        svg = self._flows[journey.id]
        if isinstance(svg, str):
            self.assets.append(GeneratedAsset(flow_asset(journey.id), svg))
        return svg

    def lazy_item(
        self,
        template: str,
        page: PageRef,
        title: str,
        journeys: frozenset[str] | None,
        context: Callable[[], Mapping[str, Any]],
        rows: Callable[[Journey], Hashable] | None = None,
    ) -> LazyPage:
        """An item page of a view, rendered when built: `context()` gives its variables;
        `journeys` are the journeys it shows, `rows` what of them (see `LazyPage`)."""
        return LazyPage(
            self.options.layout.src_uri(page),
            lambda: self.item_page(template, page, title, **context()),
            journeys,
            rows=rows,
        )

    def item_page(
        self, template: str, page: PageRef, title: str, source: str | None = None, **context: Any
    ) -> GeneratedPage:
        """An item page of a view: `template` rendered with a front-matter title."""
        markdown = self.render_wide(
            template,
            page,
            wide=self.playbook_wide,
            front_matter=self.front_matter(title),
            **context,
        )
        return GeneratedPage(self.options.layout.src_uri(page), markdown, source)

    def flow_figure(self, journey: Journey, svg: str) -> dict[str, Any]:
        """What `partials/flow.html.j2` needs besides the journey (and `flow_file`)."""
        description = " ".join(
            f"{step.index}. {step.touchpoint}: {step.action} ({step.emotion or '–'}/5)."
            for step in journey.steps
        )
        flow_svg = flow.embed_svg(
            svg,
            flow.flow_id(journey.id),
            self.labels["flow_caption"].format(title=journey.title),
            description,
        )
        return {"flow_svg": Markup(flow_svg), "flow_width": flow.natural_width(svg)}

    def chart_svg(self, journey: Journey) -> Markup:
        return Markup(chart.emotion_chart(journey, self.labels, f"cjm-curve-{journey.id}"))
