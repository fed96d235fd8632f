"""A journey's emotion per step as a small inline SVG line (the overview's landscape).

Shape only: the page writes the lowest moment's score and word beside it, and the
SVG names every score in its label, so emotion is never told by a line or a colour
alone. Scores are whole numbers from 1 to 5, so no coordinate can be nan or inf.
"""

from __future__ import annotations

from collections.abc import Mapping

from mkdocs_cjm.core.model import EMOTION_MAX, EMOTION_MIN, Journey
from mkdocs_cjm.core.text import escape

WIDTH = 100  # stretched to its box: the line's strokes keep their width (CSS)
HEIGHT = 24
PAD = 3


def sparkline_points(scores: list[int]) -> list[tuple[float, float]]:
    """(x, y) of each score; y grows downwards, 5 at the top. One score sits in the middle."""
    span = EMOTION_MAX - EMOTION_MIN
    step = (WIDTH - 2 * PAD) / (len(scores) - 1) if len(scores) > 1 else 0.0
    return [
        (
            round(PAD + index * step if len(scores) > 1 else WIDTH / 2, 1),
            round(PAD + (HEIGHT - 2 * PAD) * (EMOTION_MAX - score) / span, 1),
        )
        for index, score in enumerate(scores)
    ]


def sparkline_svg(journey: Journey, labels: Mapping[str, str]) -> str:
    """The SVG, or "" for a journey without a rated step."""
    scores = [step.emotion for step in journey.steps if step.emotion is not None]
    if not scores:
        return ""
    points = sparkline_points(scores)
    low_x, low_y = points[scores.index(min(scores))]
    if len(points) == 1:  # a point alone draws nothing: a short level stroke instead
        points = [(low_x - 4, low_y), (low_x + 4, low_y)]
    line = " ".join(f"{x:g},{y:g}" for x, y in points)
    low = min(scores)
    neutral_y = round(PAD + (HEIGHT - 2 * PAD) / 2, 2)  # a score of 3
    # The shape in words, of one size however long the journey (the overview at scale).
    label = labels["sparkline_label"].format(
        first=scores[0], low=low, high=max(scores), last=scores[-1], count=len(scores)
    )
    return (
        f'<svg class="cjm-sparkline" data-sparkline viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'preserveAspectRatio="none" role="img" aria-label="{escape(label)}" focusable="false">'
        f'<line class="cjm-sparkline-neutral" x1="0" y1="{neutral_y:g}" x2="{WIDTH}" '
        f'y2="{neutral_y:g}"/>'
        f'<line class="cjm-sparkline-low" x1="{low_x:g}" y1="0" x2="{low_x:g}" y2="{HEIGHT}"/>'
        f'<polyline class="cjm-sparkline-line" points="{line}"/></svg>'
    )
