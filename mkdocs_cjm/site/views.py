"""Views a `cjm` block embeds in any page, rendered by the partials the generated pages use.

A block is YAML (`view: matrix`, `journey: <id>`, ...). `parse_block` checks it
against the playbook and says what is wrong with the line inside the block;
`render_view` dispatches on the view's name. Pure: no Markdown, no MkDocs.
"""

from __future__ import annotations

import html as htmllib
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from mkdocs_cjm.core.index import Team, page_name
from mkdocs_cjm.core.loader import suggest_id, team_name
from mkdocs_cjm.core.model import Journey
from mkdocs_cjm.core.pages import relative_url
from mkdocs_cjm.core.problems import did_you_mean
from mkdocs_cjm.core.text import escape
from mkdocs_cjm.core.yamlsafe import DEFAULT_MAX_FILE_BYTES, excerpt, parse_yaml
from mkdocs_cjm.render import flow
from mkdocs_cjm.render.canvas import build_canvas, key_moments, steps_in_map_order
from mkdocs_cjm.render.diagrams import DiagramTimeout
from mkdocs_cjm.render.matrix import build_matrix
from mkdocs_cjm.sections import channels, teams
from mkdocs_cjm.sections.heatmap import build_heatmap
from mkdocs_cjm.site.generate import SiteGenerator, diagram_size, flow_asset


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
    team: str | None = None  # the team's name, as the maps write it


@dataclass(frozen=True)
class EmbedContext:
    """Where the view goes: the embedding page's site-relative URL, and whether the
    generated section's files (pages, flow SVGs) are published next to it."""

    page_url: str
    section_published: bool = True


@dataclass(frozen=True)
class FenceView:
    # The block key naming the item the view shows ("journey", "channel", "team"), or
    # "" for a view of the whole playbook.
    needs: str
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
    context = channels.channel_context(generator, channel)
    return "\n".join(
        _partial(generator, "channel_uses", where.page_url, journey=journey, **context)
        for journey in context["journeys"]
    )


def _team(generator: SiteGenerator, team: Team, where: EmbedContext) -> str:
    """The team's page without its title: what it owns, then every moment it owns."""
    summary, moments = teams.summary(team), teams.moments(team)
    return "\n".join(
        _partial(generator, name, where.page_url, team=summary, moments=moments)
        for name in ("team_summary", "team_moments")
    )


def _heatmap(generator: SiteGenerator, _: None, where: EmbedContext) -> str:
    heatmap = build_heatmap(generator.playbook)
    if not heatmap.by_journey:  # no step yet (the channels page leaves the section out)
        return f'<p class="cjm-none">{escape(generator.labels["none"])}</p>'
    return _partial(
        generator, "heatmap", where.page_url, heatmap=heatmap, heatmap_channels=heatmap.channels
    )


FENCE_VIEWS: dict[str, FenceView] = {
    "map": FenceView("journey", _map),
    "matrix": FenceView("journey", _matrix),
    "flow": FenceView("journey", _flow),
    "emotions": FenceView("journey", _emotions),
    "kpis": FenceView("journey", _kpis),
    "pain-points": FenceView("journey", _pain_points),
    "channel": FenceView("channel", _channel),
    "team": FenceView("team", _team),
    "heatmap": FenceView("", _heatmap),
}
ITEM_KEYS = ("journey", "channel", "team")
KEYS = ("view", *ITEM_KEYS)


def _key_line(source: str, key: str) -> int:
    for number, line in enumerate(source.splitlines(), start=1):
        if re.match(rf"\s*{re.escape(key)}\s*:", line):
            return number
    return 0


def _choice(what: str, value: str, valid: list[str], suggestion: str | None = None) -> str:
    message = f"unknown {what} {excerpt(value)!r}; expected one of: {', '.join(valid) or '(none)'}"
    suggestion = suggestion or did_you_mean(value, valid)
    return f"{message} ({suggestion})" if suggestion else message


def _team_name(value: str, generator: SiteGenerator, line: int) -> str:
    """The team a block names by its name as the maps write it, or by its slug (its
    page's file name)."""
    # Composed and single-spaced as the loader makes the maps' names (Vietnamese typed on
    # one system and read on another may differ in composition only).
    value = team_name(value) or value
    by_slug = {team.slug: name for name, team in generator.index.teams.items()}
    found = value if value in generator.index.teams else by_slug.get(value)
    if found is not None:
        # A page name is only a name while no other team asks for it: else the block
        # would show whichever team sorts first, and switch when a team is added.
        if found == value:  # a name that is another team's page name too
            rivals = [by_slug[value]] if by_slug.get(value, value) != value else []
        else:  # a page name another team asks for too ("care" of "Care" and "Care!")
            rivals = [
                name
                for name in generator.index.teams
                if name != found and page_name(name) == page_name(found)
            ]
        if rivals:
            owner = f"the name of {found!r}" if found == value else f"the page name of {found!r}"
            either = " or ".join(repr(name) for name in sorted([found, *rivals]))
            raise BlockError(
                f"the team {value!r} is ambiguous: it is {owner}, and "
                f"{', '.join(repr(name) for name in rivals)} makes the same page name "
                f"(name the team as the maps write it: {either})",
                line,
            )
        return found
    names = list(generator.index.teams)
    # The name as written first; else the slug ("cham-soc-khach" is near a slug only).
    suggestion = did_you_mean(value, names) or did_you_mean(suggest_id(value), by_slug)
    raise BlockError(_choice("team", value, [repr(name) for name in names], suggestion), line)


def parse_block(source: str, generator: SiteGenerator) -> ViewRequest:
    """The block's request, checked against the views and the playbook.

    Read like a map file (`yamlsafe`): an alias bomb, deep nesting or a key given twice
    is an error, and a date-like value is text (`journey: 2026-13-01` is an unknown
    journey, not a crash)."""
    if len(source.encode("utf-8", "surrogatepass")) > DEFAULT_MAX_FILE_BYTES:
        raise BlockError(
            f"the block is over {DEFAULT_MAX_FILE_BYTES:,} bytes; expected a few lines"
        )
    tree, problems = parse_yaml(source, "")
    if problems or tree is None:
        first = problems[0]
        hint = f" ({first.suggestion})" if first.suggestion else ""
        # Lines the YAML reader names are the block's, not the page's.
        message = re.sub(r"\bline (\d+)", r"line \1 of the block", first.message)
        message = message.removeprefix("YAML syntax error: ")  # "not valid YAML" says it
        raise BlockError(f"not valid YAML: {message}{hint}", first.line)
    data = tree.plain()
    names = sorted(FENCE_VIEWS)
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
    if view not in FENCE_VIEWS:
        raise BlockError(_choice("view", view, names), _key_line(source, "view"))
    needs = FENCE_VIEWS[view].needs
    for key in ITEM_KEYS:
        if key != needs and key in data:
            takes = f"'{needs}:'" if needs else "only 'view:'"
            raise BlockError(f"the {view} view takes {takes}, not '{key}:'", _key_line(source, key))
    if not needs:
        return ViewRequest(view)
    item = data.get(needs)
    if item is not None and not isinstance(item, str | int | float):
        raise BlockError(
            f"'{needs}:' holds a {'list' if isinstance(item, list) else 'mapping'}; "
            f"expected one {needs} named as text",
            _key_line(source, needs),
        )
    playbook = generator.playbook
    valid = {
        "journey": [journey.id for journey in playbook.journeys],
        "channel": [channel.id for channel in playbook.channels],
        "team": [repr(name) for name in generator.index.teams],
    }[needs]
    if item is None:
        raise BlockError(
            f"the {view} view needs '{needs}:'; expected one of: {', '.join(valid) or '(none)'}",
            _key_line(source, "view"),
        )
    line = _key_line(source, needs)
    if needs == "team":
        return ViewRequest(view, team=_team_name(str(item).strip(), generator, line))
    if str(item) not in valid:
        raise BlockError(_choice(needs, str(item), valid), line)
    return ViewRequest(view, **{needs: str(item)})


def render_view(generator: SiteGenerator, request: ViewRequest, where: EmbedContext) -> str:
    view = FENCE_VIEWS[request.view]
    playbook = generator.playbook
    item: Any = None
    if view.needs == "journey":
        item = playbook.journey_by_id[str(request.journey)]
    elif view.needs == "channel":
        item = playbook.channel_by_id[str(request.channel)]
    elif view.needs == "team":
        item = generator.index.teams[str(request.team)]
    html = view.render(generator, item, where)
    if where.section_published:
        return html
    return _without_section_links(html, generator.options.layout.prefix, where.page_url)


_HREF = re.compile(r'\shref="([^"#][^"]*)"')
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")


def _without_section_links(html: str, prefix: str, page_url: str) -> str:
    """`html` without its links into the generated section: a site that does not publish
    the section (the formatter without the plugin, and no `mkdocs-cjm export`) would
    have them lead nowhere. The link's text stays."""
    section = prefix.strip("/")
    folder = page_url if page_url.endswith("/") else posixpath.dirname(page_url)

    def drop(match: re.Match[str]) -> str:
        href = htmllib.unescape(match.group(1))
        if _SCHEME.match(href):
            return match.group()
        target = posixpath.normpath(posixpath.join(folder, href.partition("#")[0]))
        inside = not section or target == section or target.startswith(f"{section}/")
        return "" if inside else match.group()

    return _HREF.sub(drop, html)


__all__ = [
    "KEYS",
    "FENCE_VIEWS",
    "BlockError",
    "EmbedContext",
    "ViewRequest",
    "parse_block",
    "render_view",
]
