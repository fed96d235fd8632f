"""Views a `cjm` block embeds in any page, rendered by the partials the generated pages use.

A block is YAML (`view: matrix`, `journey: <id>`, ...). `parse_block` checks it
against the playbook and says what is wrong with the line inside the block;
`render_view` dispatches on the view's name. Pure: no Markdown, no MkDocs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml
from markupsafe import Markup

from .diagrams import DiagramTimeout
from .generate import SiteGenerator, diagram_size, flow_asset
from .model import Journey
from .pages import relative_url
from .problems import did_you_mean
from .render import flow
from .render.canvas import build_canvas, key_moments, steps_in_map_order
from .render.matrix import build_matrix
from .text import escape


class BlockError(Exception):
    """A bad block: `line` is 1-based inside the block (0: the block as a whole)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class ViewRequest:
    view: str
    journey: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class EmbedContext:
    """Where the view goes: the embedding page's site-relative URL, and whether the
    generated section's files (pages, flow SVGs) are published next to it."""

    page_url: str
    section_published: bool = True


@dataclass(frozen=True)
class _View:
    needs: str  # the block key naming the item the view shows: "journey" or "channel"
    render: Callable[[SiteGenerator, Any, EmbedContext], str]


def _partial(generator: SiteGenerator, name: str, page_url: str, **context: Any) -> str:
    """One of templates/partials/, with the macros its including page imports."""
    template = generator.env.from_string(
        '{% import "partials/macros.html.j2" as m with context %}'
        f'{{% include "partials/{name}.html.j2" %}}'
    )
    return template.render(**generator.page_context(page_url), **context)


_STEP_LINK = re.compile(r'href="#(step-[^"]*)"')


def _to_journey_page(html: str, generator: SiteGenerator, journey: Journey, page_url: str) -> str:
    """The partials link steps within the journey page (`#step-x`); embedded, they
    link to that page."""
    journey_url = generator.page_context(page_url)["link_journey"](journey.id)
    return _STEP_LINK.sub(lambda match: f'href="{journey_url}#{match.group(1)}"', html)


def _matrix(generator: SiteGenerator, journey: Journey, where: EmbedContext) -> str:
    matrix = build_matrix(journey, generator.playbook)
    html = _partial(generator, "matrix", where.page_url, journey=journey, matrix=matrix)
    return _to_journey_page(html, generator, journey, where.page_url)


def _flow(generator: SiteGenerator, journey: Journey, where: EmbedContext) -> str:
    # The journey page's limits hold here too: the notice instead of the diagram.
    labels, limit = generator.labels, generator.options.diagram_max_size
    if diagram_size(journey) > limit:
        notice = labels["flow_too_large"].format(
            steps=len(journey.steps),
            arrows=len(journey.edges),
            size=diagram_size(journey),
            limit=limit,
        )
        return f'<p class="cjm-flow-notice" role="note">{escape(notice)}</p>'
    (svg,) = generator.renderer.render_each(
        [flow.flow_dot(journey, generator.playbook, generator.labels)]
    )
    if isinstance(svg, DiagramTimeout):
        notice = labels["flow_timed_out"].format(seconds=f"{svg.seconds:g}")
        return f'<p class="cjm-flow-notice" role="note">{escape(notice)}</p>'
    figure = generator.flow_figure(journey, svg)
    if where.section_published:
        # The diagram's nodes link to the steps of the journey page, not of this one.
        svg_html = _to_journey_page(figure["flow_svg"], generator, journey, where.page_url)
        figure["flow_svg"] = Markup(svg_html)
        flow_file = relative_url(where.page_url, flow_asset(journey.id))
    else:
        figure["flow_svg"] = Markup(_STEP_LINK.sub("", figure["flow_svg"]))
        flow_file = ""
    return _partial(
        generator, "flow", where.page_url, journey=journey, flow_file=flow_file, **figure
    )


def _map(generator: SiteGenerator, journey: Journey, where: EmbedContext) -> str:
    """The journey map canvas with its key moments, as the journey page opens."""
    html = "\n".join(
        _partial(
            generator,
            name,
            where.page_url,
            journey=journey,
            canvas=build_canvas(journey),
            key_moments=key_moments(journey),
        )
        for name in ("key_moments", "map")
    )
    if not where.section_published:
        return _STEP_LINK.sub("", html)  # no journey page to link to
    return _to_journey_page(html, generator, journey, where.page_url)


def _emotions(generator: SiteGenerator, journey: Journey, where: EmbedContext) -> str:
    chart_svg = generator.chart_svg(journey)
    return _partial(generator, "emotions", where.page_url, journey=journey, chart_svg=chart_svg)


def _kpis(generator: SiteGenerator, journey: Journey, where: EmbedContext) -> str:
    return _partial(generator, "kpis", where.page_url, journey=journey)


def _pain_points(generator: SiteGenerator, journey: Journey, where: EmbedContext) -> str:
    html = _partial(
        generator,
        "steps",
        where.page_url,
        journey=journey,
        steps_in_order=steps_in_map_order(journey),
        step_by_id={step.id: step for step in journey.steps},
    )
    html = _to_journey_page(html, generator, journey, where.page_url)
    # Its rows carry the steps' anchors; on another page they would clash with nothing
    # useful and could shadow that page's own: dropped.
    return re.sub(r' id="step-[^"]*"', "", html)


def _channel(generator: SiteGenerator, channel: Any, where: EmbedContext) -> str:
    context = generator.channel_context(channel)
    return "\n".join(
        _partial(generator, "channel_uses", where.page_url, journey=journey, **context)
        for journey in context["journeys"]
    )


VIEWS: dict[str, _View] = {
    "map": _View("journey", _map),
    "matrix": _View("journey", _matrix),
    "flow": _View("journey", _flow),
    "emotions": _View("journey", _emotions),
    "kpis": _View("journey", _kpis),
    "pain-points": _View("journey", _pain_points),
    "channel": _View("channel", _channel),
}
# Named by the `cjm` block's contract but not rendered by this version: the team and
# heatmap views arrive with their pages.
PLANNED_VIEWS = ("team", "heatmap")
KEYS = ("view", "journey", "channel", "team")


def _key_line(source: str, key: str) -> int:
    for number, line in enumerate(source.splitlines(), start=1):
        if re.match(rf"\s*{re.escape(key)}\s*:", line):
            return number
    return 0


def _choice(what: str, value: str, valid: list[str]) -> str:
    message = f"unknown {what} {value!r}; expected one of: {', '.join(valid) or '(none)'}"
    suggestion = did_you_mean(value, valid)
    return f"{message} ({suggestion})" if suggestion else message


def parse_block(source: str, generator: SiteGenerator) -> ViewRequest:
    """The block's request, checked against the views and the playbook."""
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        raise BlockError(f"not valid YAML: {problem}", mark.line + 1 if mark else 0) from None
    names = sorted(VIEWS)
    if not isinstance(data, dict):
        raise BlockError(
            f"expected a mapping such as 'view: matrix' and 'journey: <id>' (views: {', '.join(names)})"
        )
    for key in data:
        if key not in KEYS:
            message = _choice("key", str(key), list(KEYS))
            raise BlockError(message, _key_line(source, str(key)))
    view = data.get("view")
    if view is None:
        raise BlockError(f"missing 'view:'; expected one of: {', '.join(names)}")
    view = str(view)
    if view in PLANNED_VIEWS:
        raise BlockError(
            f"the view {view!r} is not available in this version of mkdocs-cjm; "
            f"available: {', '.join(names)}",
            _key_line(source, "view"),
        )
    if view not in VIEWS:
        raise BlockError(_choice("view", view, names), _key_line(source, "view"))
    needs = VIEWS[view].needs
    playbook = generator.playbook
    valid = {
        "journey": [journey.id for journey in playbook.journeys],
        "channel": [channel.id for channel in playbook.channels],
    }[needs]
    item = data.get(needs)
    if item is None:
        raise BlockError(
            f"the {view} view needs '{needs}:'; expected one of: {', '.join(valid)}",
            _key_line(source, "view"),
        )
    if str(item) not in valid:
        raise BlockError(_choice(needs, str(item), valid), _key_line(source, needs))
    for key in ("journey", "channel", "team"):
        if key != needs and key in data:
            raise BlockError(
                f"the {view} view takes '{needs}:', not '{key}:'", _key_line(source, key)
            )
    return ViewRequest(view, **{needs: str(item)})


def render_view(generator: SiteGenerator, request: ViewRequest, where: EmbedContext) -> str:
    view = VIEWS[request.view]
    playbook = generator.playbook
    item: Any
    if view.needs == "journey":
        item = next(j for j in playbook.journeys if j.id == request.journey)
    else:
        item = playbook.channel_by_id[str(request.channel)]
    return view.render(generator, item, where)


__all__ = ["VIEWS", "BlockError", "EmbedContext", "ViewRequest", "parse_block", "render_view"]
