"""A KPI's series from its metrics file as a small inline SVG line (no JavaScript).

The chart is shape only; the page always writes the latest value and its date in
text beside it, and the SVG carries the series in words for screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from mkdocs_cjm.core.measure import read_kpi_value
from mkdocs_cjm.core.model import Kpi
from mkdocs_cjm.core.text import escape, plain

WIDTH = 120
HEIGHT = 32
PAD = 4
# A long series shows its latest points: a sparkline of thousands says no more.
MAX_POINTS = 60


def _target_values(kpi: Kpi) -> list[float]:
    """The target's value, or both ends of a range target: where its lines go."""
    goal = read_kpi_value(kpi.target) if kpi.target else None
    if goal is None:
        return []
    return [goal.low] if goal.low == goal.high else [goal.low, goal.high]


def _scale(values: list[float]) -> tuple[float, float]:
    """The lowest and highest of `values`, halved: their difference then stays finite
    even for values near float's limits (1e308 and -1e308), so no coordinate is inf or
    nan. Non-finite values (none get here from the loader) are left out."""
    finite = [value / 2 for value in values if math.isfinite(value)] or [0.0]
    return min(finite), max(finite)


def _y(value: float, low: float, high: float) -> float:
    """The y coordinate of `value` between halved bounds `low` and `high`."""
    span = high - low
    fraction = (high - value / 2) / span if span else 0.0
    if not math.isfinite(fraction):
        fraction = 0.0
    return round(PAD + (HEIGHT - 2 * PAD) * min(max(fraction, 0.0), 1.0), 1)


def trend_points(kpi: Kpi) -> list[tuple[float, float]]:
    """(x, y) of each shown value in the SVG's coordinates; y grows downwards."""
    series = kpi.series[-MAX_POINTS:]
    if not series:
        return []
    values = [measurement.value for measurement in series]
    low, high = _scale(values + _target_values(kpi))
    step = (WIDTH - 2 * PAD) / max(len(series) - 1, 1)
    return [
        (round(PAD + index * step, 1), _y(value, low, high)) for index, value in enumerate(values)
    ]


def trend_svg(kpi: Kpi, labels: Mapping[str, str]) -> str:
    """The sparkline, or "" when the KPI has no data rows."""
    series = kpi.series[-MAX_POINTS:]
    points = trend_points(kpi)
    if not points:
        return ""
    first, last = series[0], series[-1]
    description = labels["trend_desc"].format(
        kpi=plain(kpi.name),
        count=len(series),
        first_date=first.date.isoformat(),
        first=first.text,
        last_date=last.date.isoformat(),
        last=last.text,
    )
    parts = [
        f'<svg class="cjm-trend" data-points="{len(points)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(description)}</title>",
    ]
    targets = _target_values(kpi)
    low, high = _scale([measurement.value for measurement in series] + targets)
    for target in targets:  # a range target (`3-5 min`) gets a line at each end
        y = _y(target, low, high)
        parts.append(
            f'<line class="cjm-trend-target" x1="{PAD}" y1="{y}" x2="{WIDTH - PAD}" y2="{y}"/>'
        )
    joined = " ".join(f"{x},{y}" for x, y in points)
    if len(points) > 1:
        parts.append(f'<polyline class="cjm-trend-line" points="{joined}"/>')
    x, y = points[-1]
    parts.append(f'<circle class="cjm-trend-last" cx="{x}" cy="{y}" r="2.5"/>')
    parts.append("</svg>")
    return "".join(parts)
