"""The emotion curve: an inline SVG line chart of the emotion at each step, with stage bands.

Colours come from CSS classes (palette-aware); every point also carries its
score as text, so the chart never relies on colour alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mkdocs_cjm.core.compare import Comparison
from mkdocs_cjm.core.model import EMOTION_MAX, EMOTION_MIN, Journey, Step
from mkdocs_cjm.core.text import escape, plain
from mkdocs_cjm.render.emotion import emotion_class, emotion_word

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


def _score_grid(width: float, labels: Mapping[str, str]) -> list[str]:
    """A line per score across the plot, labelled with the score and its word."""
    parts = []
    for score in range(EMOTION_MIN, EMOTION_MAX + 1):
        y = _y(score)
        parts.append(
            f'<line class="cjm-grid" x1="{LEFT}" y1="{y:.1f}" x2="{width - RIGHT}" y2="{y:.1f}"/>'
        )
        parts.append(
            f'<text class="cjm-axis" x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">'
            f"{score} {escape(_fit(emotion_word(score, labels), LEFT - 24, 6))}</text>"
        )
    return parts


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
    parts += _score_grid(width, labels)
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


def comparison_chart(comparison: Comparison, labels: Mapping[str, str], chart_id: str) -> str:
    """Both journeys' emotion curves on one chart, each stage one band wide enough for
    the longer of the two. Current: dashed line, square points; future: solid line,
    round points; each point also carries its score, so neither curve relies on colour."""
    stages = comparison.stages
    slots = sum(stage.width for stage in stages)
    legend_height = 24
    width = LEFT + STEP_WIDTH * slots + RIGHT
    height = TOP + PLOT_HEIGHT + BOTTOM + legend_height
    title = labels["compare_curve"].format(
        current=comparison.current.title, future=comparison.future.title
    )
    parts = [
        f'<svg class="cjm-svg cjm-chart cjm-compare-chart" id="{chart_id}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(labels["compare_curve_desc"])}</desc>',
    ]
    runs: dict[str, list[tuple[float, Step]]] = {"current": [], "future": []}
    start = 0
    for number, stage in enumerate(stages):
        x: float = LEFT + start * STEP_WIDTH
        band_width = stage.width * STEP_WIDTH
        parts.append(
            f'<rect class="cjm-band cjm-band-{number % 2}" x="{x}" y="{TOP - 28}" '
            f'width="{band_width}" height="{PLOT_HEIGHT + 28 + 8}"/>'
        )
        parts.append(
            f'<text class="cjm-band-label" x="{x + 6}" y="{TOP - 12}">'
            f"<title>{escape(stage.name)}</title>"
            f"{escape(_fit(stage.name, band_width - 10))}</text>"
        )
        for state, steps in (("current", stage.current), ("future", stage.future)):
            for position, step in enumerate(steps):
                runs[state].append((x + band_width * (position + 0.5) / len(steps), step))
        start += stage.width
    parts += _score_grid(width, labels)
    for state, placed in runs.items():
        segments: list[list[str]] = [[]]
        for x, step in placed:
            if step.emotion is None:
                segments.append([])
            else:
                segments[-1].append(f"{x:.1f},{_y(step.emotion):.1f}")
        for segment in segments:
            if len(segment) > 1:
                parts.append(
                    f'<polyline class="cjm-curve cjm-curve-{state}" data-state="{state}" '
                    f'points="{" ".join(segment)}"/>'
                )
    journeys = {"current": comparison.current, "future": comparison.future}
    for state, placed in runs.items():
        for x, step in placed:
            if step.emotion is None:
                continue
            y = _y(step.emotion)
            tip = (
                f"{labels[f'state_{state}']}: {step.touchpoint}: {plain(step.action)} "
                f"({step.emotion}/5 {emotion_word(step.emotion, labels)})"
            )
            shape = (
                f'<rect x="{x - 8:.1f}" y="{y - 8:.1f}" width="16" height="16" rx="2"/>'
                if state == "current"
                else f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9"/>'
            )
            parts.append(
                f'<g class="cjm-point cjm-point-{state} {emotion_class(step.emotion)}" '
                f'data-state="{state}" data-point="{escape(step.id)}"><title>{escape(tip)}</title>'
                f'{shape}<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle">'
                f"{step.emotion}</text></g>"
            )
    legend_y = height - 10
    legend_x = LEFT
    for state in ("current", "future"):
        label = f"{labels[f'state_{state}']}: {journeys[state].title}"
        parts.append(
            f'<line class="cjm-curve cjm-curve-{state}" x1="{legend_x}" y1="{legend_y - 4}" '
            f'x2="{legend_x + 28}" y2="{legend_y - 4}"/>'
            f'<text class="cjm-axis" x="{legend_x + 34}" y="{legend_y}">'
            f"{escape(_fit(label, max(width / 2 - 60, 60)))}</text>"
        )
        legend_x += max(int(width / 2) - 40, 200)
    parts.append("</svg>")
    return "\n".join(parts)
