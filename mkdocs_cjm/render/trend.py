"""A KPI's series from its metrics file as a small inline SVG line (no JavaScript).

The chart is shape only; the page always writes the latest value and its date in
text beside it, and the SVG carries the series in words for screen readers.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..model import Kpi, parse_measure
from ..text import escape, plain

WIDTH = 120
HEIGHT = 32
PAD = 4
# A long series shows its latest points: a sparkline of thousands says no more.
MAX_POINTS = 60


def trend_points(kpi: Kpi) -> list[tuple[float, float]]:
    """(x, y) of each shown value in the SVG's coordinates; y grows downwards."""
    series = kpi.series[-MAX_POINTS:]
    if not series:
        return []
    values = [measurement.value for measurement in series]
    low, high = min(values), max(values)
    target = parse_measure(kpi.target) if kpi.target else None
    if target is not None:
        low, high = min(low, target[0]), max(high, target[0])
    span = high - low or 1.0
    step = (WIDTH - 2 * PAD) / max(len(series) - 1, 1)
    return [
        (
            round(PAD + index * step, 1),
            round(PAD + (HEIGHT - 2 * PAD) * (high - value) / span, 1),
        )
        for index, value in enumerate(values)
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
    target = parse_measure(kpi.target) if kpi.target else None
    if target is not None:
        values = [measurement.value for measurement in series] + [target[0]]
        low, high = min(values), max(values)
        span = high - low or 1.0
        y = round(PAD + (HEIGHT - 2 * PAD) * (high - target[0]) / span, 1)
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
