"""The emotion curve: an inline SVG line chart of the emotion at each step, with stage bands.

Colours come from CSS classes (palette-aware); every point also carries its
score as text, so the chart never relies on colour alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..model import EMOTION_MAX, EMOTION_MIN, Journey
from ..text import escape, plain
from .emotion import emotion_class, emotion_word

STEP_WIDTH = 56
LEFT = 112
RIGHT = 24
TOP = 40
PLOT_HEIGHT = 180
BOTTOM = 34


@dataclass(frozen=True)
class Band:
    """A run of consecutive steps in one stage."""

    stage_name: str
    first: int  # 0-based position of the first step in the run
    count: int


def stage_bands(journey: Journey) -> tuple[Band, ...]:
    bands: list[Band] = []
    for position, step in enumerate(journey.steps):
        if bands and journey.steps[position - 1].stage == step.stage:
            last = bands[-1]
            bands[-1] = Band(last.stage_name, last.first, last.count + 1)
        else:
            bands.append(Band(journey.stage(step.stage).name, position, 1))
    return tuple(bands)


def _y(score: int) -> float:
    span = EMOTION_MAX - EMOTION_MIN
    return TOP + PLOT_HEIGHT * (EMOTION_MAX - score) / span


def _fit(text: str, width: float, char_width: float = 6.5) -> str:
    limit = max(1, int(width // char_width))
    return text if len(text) <= limit else text[: max(1, limit - 1)] + "…"


def emotion_chart(journey: Journey, labels: Mapping[str, str], chart_id: str) -> str:
    """SVG markup; `chart_id` must be unique on the page."""
    steps = journey.steps
    width = LEFT + STEP_WIDTH * len(steps) + RIGHT
    height = TOP + PLOT_HEIGHT + BOTTOM
    title = labels["emotion_curve"].format(title=journey.title)
    parts = [
        f'<svg class="cjm-svg cjm-chart" id="{chart_id}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(labels["emotion_curve_desc"])}</desc>',
    ]
    for number, band in enumerate(stage_bands(journey)):
        x: float = LEFT + band.first * STEP_WIDTH
        band_width = band.count * STEP_WIDTH
        parts.append(
            f'<rect class="cjm-band cjm-band-{number % 2}" x="{x}" y="{TOP - 28}" '
            f'width="{band_width}" height="{PLOT_HEIGHT + 28 + 8}"/>'
        )
        # Narrow bands truncate the name; the full name stays in the label's tooltip.
        parts.append(
            f'<text class="cjm-band-label" x="{x + 6}" y="{TOP - 12}">'
            f"<title>{escape(band.stage_name)}</title>"
            f"{escape(_fit(band.stage_name, band_width - 10))}</text>"
        )
    for score in range(EMOTION_MIN, EMOTION_MAX + 1):
        y = _y(score)
        parts.append(
            f'<line class="cjm-grid" x1="{LEFT}" y1="{y:.1f}" x2="{width - RIGHT}" y2="{y:.1f}"/>'
        )
        parts.append(
            f'<text class="cjm-axis" x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">'
            f"{score} {escape(_fit(emotion_word(score, labels), LEFT - 24, 6))}</text>"
        )
    points = [
        (LEFT + STEP_WIDTH * position + STEP_WIDTH / 2, step) for position, step in enumerate(steps)
    ]
    # Unrated steps break the line rather than pretending to be neutral.
    runs: list[list[str]] = [[]]
    for x, step in points:
        if step.emotion is None:
            runs.append([])
        else:
            runs[-1].append(f"{x:.1f},{_y(step.emotion):.1f}")
    for run in runs:
        if len(run) > 1:
            parts.append(f'<polyline class="cjm-curve" points="{" ".join(run)}"/>')
    for position, (x, step) in enumerate(points, start=1):
        parts.append(
            f'<text class="cjm-axis" x="{x:.1f}" y="{height - 12}" text-anchor="middle">'
            f"{position}</text>"
        )
        if step.emotion is None:
            continue
        y = _y(step.emotion)
        # Markdown fields as the page shows them: a tooltip cannot render `**b**`.
        feeling = f", {plain(step.feeling)}" if step.feeling else ""
        tip = (
            f"{position}. {step.touchpoint}: {plain(step.action)} "
            f"({step.emotion}/5 {emotion_word(step.emotion, labels)}{feeling})"
        )
        parts.append(
            f'<g class="cjm-point {emotion_class(step.emotion)}"><title>{escape(tip)}</title>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9"/>'
            f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle">{step.emotion}</text></g>'
        )
    parts.append("</svg>")
    return "\n".join(parts)
