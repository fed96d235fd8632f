"""The flow diagram as DOT: one cluster per stage, one node per step, edges from `next`.

Labels are plain escaped strings (the wasm build of Graphviz has no HTML-like
labels), so nothing an author writes can change the graph's structure or be read
as an escape sequence. Text is wrapped here because the wasm build has no font
metrics and would otherwise guess wide lines.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping

import graphviz

from mkdocs_cjm.core.model import Journey, Playbook, Step
from mkdocs_cjm.core.pages import step_anchor
from mkdocs_cjm.core.text import escape, plain, wrap
from mkdocs_cjm.render.emotion import FILLS, emotion_class, emotion_word

FONT = "Helvetica,Arial,sans-serif"
WRAP_WIDTH = 24


def flow_id(journey_id: str) -> str:
    return f"cjm-flow-{journey_id}"


# Characters XML 1.0 forbids: Graphviz copies them into the SVG, which then does
# not parse (and NUL ends the DOT source early).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# `dot` refuses a quoted string longer than 16384 characters. Each text in a
# label or tooltip is cut to a budget counted in DOT characters (after escaping).
FIELD_BUDGET = 2500
TOOLTIP_BUDGET = 12000
_COST = {"&": 5, "\\": 4, '"': 2}


def _clip(text: str, budget: int = FIELD_BUDGET) -> str:
    """Text cut to fit `budget` once escaped; the page keeps the full text."""
    cost = 0
    for position, char in enumerate(text):
        cost += _COST.get(char, 1)
        if cost > budget:
            return text[:position].rstrip() + "…"
    return text


def _dot_text(text: str) -> str:
    """Text as Graphviz reads it literally: it decodes `&amp;`, `&#60;`, `&copy;` in labels."""
    return _NOT_XML.sub("\ufffd", text).replace("&", "&amp;")


def _label(lines: list[str]) -> str:
    """Lines joined as a DOT escString: author backslashes stay literal, `\\n` breaks lines."""
    label: str = graphviz.nohtml(
        "\\n".join(_dot_text(line).replace("\\", "\\\\") for line in lines)
    )
    return label


def _node_label(step: Step, channel_name: str, labels: Mapping[str, str]) -> str:
    # Markdown fields show as the page renders them (`**b**` as `b`); plain fields
    # (touchpoint, names) as written, asterisks and all, like on the page.
    lines = wrap(f"★ {labels['milestone']}", WRAP_WIDTH) if step.milestone else []
    lines += wrap(_clip(step.touchpoint), WRAP_WIDTH)
    if step.touchpoint != channel_name:
        lines += wrap(f"({_clip(channel_name)})", WRAP_WIDTH)
    lines += wrap(_clip(plain(step.action)), WRAP_WIDTH)
    score = f"{step.emotion}/5" if step.emotion is not None else "–"
    feeling = f" · {_clip(plain(step.feeling))}" if step.feeling else ""
    lines += wrap(f"{labels['emotion']}: {score}{feeling}", WRAP_WIDTH)
    if step.evidence is not None:
        # The step's evidence badge, as words: the diagram is one more place the step appears.
        lines += wrap(_evidence_text(step, labels), WRAP_WIDTH)
    return _label(lines)


def _evidence_text(step: Step, labels: Mapping[str, str]) -> str:
    assert step.evidence is not None
    return f"{labels['evidence']}: {labels['evidence_' + step.evidence.value]}"


def _tooltip(step: Step, channel_name: str, labels: Mapping[str, str]) -> str:
    parts = [f"{step.touchpoint} ({channel_name}): {plain(step.action)}"]
    if step.milestone:
        parts.insert(0, labels["milestone"])
    score = f"{step.emotion}/5 " if step.emotion is not None else ""
    parts.append(f"{labels['emotion']}: {score}{emotion_word(step.emotion, labels)}")
    if step.feeling:
        parts.append(f"{labels['feeling']}: {plain(step.feeling)}")
    if step.thought:
        parts.append(f"{labels['thought']}: {plain(step.thought)}")
    if step.evidence is not None:
        source = f" ({plain(step.evidence_source)})" if step.evidence_source else ""
        parts.append(_evidence_text(step, labels) + source)
    # Whitespace collapsed as the page collapses it, so the tooltip reads like the table.
    text = _dot_text(_clip(" ".join(". ".join(parts).split()), TOOLTIP_BUDGET))
    # Graphviz unescapes a tooltip twice (C-style `\l`, then escString `\N`, `\G`),
    # so `graphviz.escape`'s doubling still lets `\N` become the node's name.
    tooltip: str = graphviz.nohtml(text.replace("\\", "\\" * 4))
    return tooltip


def flow_dot(journey: Journey, playbook: Playbook, labels: Mapping[str, str]) -> str:
    """DOT source of a journey's flow; the same journey always gives the same text."""
    graph_id = flow_id(journey.id)
    dot = graphviz.Digraph(name=graph_id)
    dot.attr(
        "graph",
        id=graph_id,
        rankdir="LR",
        bgcolor="transparent",
        fontname=FONT,
        fontsize="12",
        nodesep="0.25",
        ranksep="0.45",
        newrank="true",
        pad="0.1",
        **{"class": "cjm-flow-graph"},
    )
    dot.attr("node", shape="box", fontname=FONT, fontsize="11", margin="0.18,0.1", penwidth="1.2")
    dot.attr("edge", fontname=FONT, arrowsize="0.7", penwidth="1.1", **{"class": "cjm-edge"})

    names = {step.id: f"s{step.index}" for step in journey.steps}
    for stage_number, stage in enumerate(journey.stages, start=1):
        with dot.subgraph(name=f"cluster_{stage_number}") as cluster:
            cluster.attr(
                id=f"{graph_id}-stage-{stage_number}",
                label=_label(wrap(_clip(stage.name), WRAP_WIDTH * 2)),
                style="rounded,dashed",
                labeljust="l",
                margin="10",
                rank="same",
                **{"class": f"cjm-stage cjm-stage-{stage_number % 2}"},
            )
            steps = journey.steps_in(stage.id)
            if not steps:
                # Graphviz draws no empty cluster: a placeholder keeps the stage visible.
                cluster.node(
                    f"empty{stage_number}",
                    id=f"{graph_id}-empty-stage-{stage_number}",
                    label=_label(wrap(labels["empty_cell"], WRAP_WIDTH)),
                    shape="plaintext",
                    **{"class": "cjm-empty-stage"},
                )
            for step in steps:
                channel = playbook.channel_by_id[step.channel]
                cluster.node(
                    names[step.id],
                    id=f"{graph_id}-{step_anchor(step.id)}",
                    label=_node_label(step, channel.name, labels),
                    tooltip=_tooltip(step, channel.name, labels),
                    href=f"#{step_anchor(step.id)}",
                    target="_self",
                    style="rounded,filled" if channel.online else "filled,dashed",
                    fillcolor=FILLS[step.emotion],
                    # A golden milestone has a double border (and says so in its label).
                    **({"peripheries": "2"} if step.milestone else {}),
                    **{
                        "class": f"cjm-node {emotion_class(step.emotion)} "
                        f"cjm-{'online' if channel.online else 'offline'}"
                        + (" cjm-milestone" if step.milestone else "")
                    },
                )
    # Invisible edges from each stage to the next keep the clusters in stage order,
    # whatever the branches do, and place empty stages between their neighbours.
    anchors = [
        (names[steps[0].id], names[steps[-1].id])
        if (steps := journey.steps_in(stage.id))
        else (f"empty{number}", f"empty{number}")
        for number, stage in enumerate(journey.stages, start=1)
    ]
    for (_, last), (first, _) in itertools.pairwise(anchors):
        dot.edge(last, first, style="invis", weight="0")
    for source, target in journey.edges:
        backwards = target.index <= source.index
        attributes = {"constraint": "false" if backwards else "true"}
        if backwards:
            attributes |= {"class": "cjm-edge cjm-edge-back", "style": "dashed"}
        tail, head = names[source.id], names[target.id]
        if source.stage == target.stage and not backwards:
            # Steps of one stage share a rank (a column); Graphviz stacks a flat
            # edge's head above its tail, so the edge is laid out reversed and drawn
            # back, for the stage to read top to bottom.
            tail, head = head, tail
            attributes["dir"] = "back"
        dot.edge(tail, head, **attributes)
    dot_source: str = dot.source
    return dot_source


_SVG_ROOT = re.compile(r"<svg\b[^>]*>")
_SIZE = re.compile(r'\s(width|height)="[^"]*"')
_VIEWBOX = re.compile(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) [\d.]+"')
_TITLE = re.compile(r"<title>[^<]*</title>\n?")
_BACKGROUND = re.compile(r'<polygon fill="(?:white|transparent)" stroke="none"[^>]*/>\n?')


def embed_svg(svg: str, graph_id: str, title: str, description: str) -> str:
    """Graphviz SVG made fit to sit inline in a page.

    Sized by its viewBox (CSS scales it to the content width), labelled for
    assistive technology, with Graphviz's per-node titles (DOT node names)
    dropped so tooltips show the step, not `s3`.
    """
    svg = _TITLE.sub("", svg)
    svg = _BACKGROUND.sub("", svg)
    # An empty stage's placeholder is not a step: keep `g.node` meaning "a step".
    svg = svg.replace('class="node cjm&#45;empty&#45;stage"', 'class="cjm-empty-stage"')
    match = _SVG_ROOT.search(svg)
    if match is None:
        raise ValueError("Graphviz returned no <svg> element")
    root = _SIZE.sub("", match.group())
    root = root.replace(
        "<svg",
        f'<svg class="cjm-svg" role="img" aria-labelledby="{graph_id}-title {graph_id}-desc"'
        ' preserveAspectRatio="xMinYMin meet"',
        1,
    )
    head = (
        f'{root}\n<title id="{graph_id}-title">{escape(title)}</title>\n'
        f'<desc id="{graph_id}-desc">{escape(description)}</desc>'
    )
    body = svg[match.end() :]
    return "\n".join(line for line in (head + body).splitlines() if line.strip())


def natural_width(svg: str) -> int:
    """Width in CSS pixels at which Graphviz meant the SVG to be shown (1pt = 4/3 px)."""
    match = _VIEWBOX.search(svg)
    return round(float(match.group(1)) * 4 / 3) if match else 0
