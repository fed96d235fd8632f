"""The journey map canvas: stages across the top, lanes down the side.

Pure layout: which columns the canvas has (one per step, in stage order), which
lanes a journey fills, where each cell sits in the desktop grid and in the phone
timeline, and the emotion curve drawn under the step columns. The template
(`partials/map.html.j2`) turns it into markup; CSS places the cells with the
numbers computed here, so the same elements are a wide map on a desktop and a
vertical timeline on a phone (see ARCHITECTURE.md).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mkdocs_cjm.core.model import EMOTION_MAX, EMOTION_MIN, Journey, Kpi, KpiStatus, Stage, Step
from mkdocs_cjm.render.branches import BranchLayout, Placement, layout_branches


@dataclass(frozen=True)
class Lane:
    """One row of the map. `name` is its `data-lane` value and `cjm-lane-<name>` class
    (a public interface) and names its label (`lane_<name>` in `site/i18n.py`). `per`
    says whether it has a cell per stage or per step column; `fills` whether a stage or
    step puts something in its cell (a lane nobody fills is left out); `macro` is what
    shows a filled cell, in `partials/lane_cells.html.j2` (the steps and emotion lanes
    are the map's spine and are drawn by `partials/map.html.j2` itself)."""

    name: str
    per: str  # "stage" or "step"
    fills: Callable[[Any], bool]
    macro: str = ""


# The lanes in reading order: the one table the canvas, its CSS hooks, its labels and
# the docs' lane table (docs/journey-page.md, held equal by a test) are made from.
LANE_TABLE: tuple[Lane, ...] = (
    Lane("goals", "stage", lambda stage: bool(stage.goals), "goals"),
    Lane("steps", "step", lambda step: True),
    Lane("emotion", "step", lambda step: step.emotion is not None),
    Lane("thoughts", "step", lambda step: bool(step.thought or step.feeling), "thoughts"),
    Lane("pain-points", "step", lambda step: bool(step.pain_points), "pain_points"),
    Lane("opportunities", "step", lambda step: bool(step.opportunities), "opportunities"),
    Lane("owners", "step", lambda step: bool(step.owner), "owner"),
    Lane("kpis", "stage", lambda stage: bool(stage.kpis), "kpis"),
)
LANE_BY_NAME = {lane.name: lane for lane in LANE_TABLE}
GOALS, STEPS, EMOTION, THOUGHTS, PAIN_POINTS, OPPORTUNITIES, OWNERS, KPIS = (
    lane.name for lane in LANE_TABLE
)
LANES = tuple(lane.name for lane in LANE_TABLE)
# Lanes with a cell per step column; the others (goals, KPIs) have a cell per stage.
STEP_LANES = tuple(lane.name for lane in LANE_TABLE if lane.per == "step")

# Emotion lane geometry, in CSS pixels (mirrored by cjm.css through the custom
# properties the template sets): a point for score s sits (MAX - s) levels down.
LEVEL_HEIGHT = 30
LANE_PADDING = 10
FACE_SIZE = 26
POINT_LABEL = 22
EMOTION_LANE_HEIGHT = (
    LANE_PADDING * 2 + (EMOTION_MAX - EMOTION_MIN) * LEVEL_HEIGHT + FACE_SIZE + POINT_LABEL
)
# Width of one column in the curve's own coordinates (stretched by CSS).
_UNIT = 100

# On paper the map keeps its screen layout at fixed column widths and is zoomed to
# the width of an A3 landscape sheet (400 mm inside 10 mm margins is 1512 CSS px;
# a little is left for the page's own padding), so every step's text stays whole.
PRINT_WIDTH = 1480
PRINT_LABEL = 130
PRINT_COLUMN = 120


@dataclass(frozen=True)
class Column:
    """One column of the canvas: the steps drawn in it (alternatives share a
    column); none for the single column of a stage without steps."""

    position: int  # 0-based, left to right
    stage: Stage
    band: int  # 0 or 1, alternating per stage
    steps: tuple[Step, ...]
    opens_stage: bool  # the first column of its stage (drawn with a stronger rule)

    @property
    def step(self) -> Step | None:
        return self.steps[0] if self.steps else None


@dataclass(frozen=True)
class Gap:
    """A track of a column no step takes (only on a canvas with parallel tracks);
    `passing`: a branch goes by there, drawn as a line to its next step."""

    column: Column
    track: int
    passing: bool


@dataclass(frozen=True)
class StageSpan:
    stage: Stage
    first: int  # position of its first column
    count: int  # how many columns it spans (at least one)
    band: int


@dataclass(frozen=True)
class Canvas:
    journey: Journey
    columns: tuple[Column, ...]
    stages: tuple[StageSpan, ...]
    lanes: tuple[str, ...]
    # Row of each cell in the phone timeline (1-based), by (lane, stage id) for the
    # stage lanes, stage headers ("stage") and the step lanes' cell of a stage
    # without steps, and by (lane, position of the step in map order) for the rest.
    phone_rows: Mapping[tuple[str, str | int], int]
    curve: str  # SVG markup of the emotion curve ("" without an emotion lane)
    # Where each step sits (column, track, fork and branch), in map order.
    cells: tuple[Placement, ...] = ()
    tracks: int = 1  # parallel rows of each step lane but the emotion lane
    gaps: tuple[Gap, ...] = ()

    @property
    def width(self) -> int:
        return len(self.columns)

    def lane(self, name: str) -> Lane:
        """The lane table's entry of a lane the canvas has."""
        return LANE_BY_NAME[name]

    def lane_rows(self, lane: str) -> int:
        """How many grid rows a lane takes on a desktop: one per track in the step
        lanes (the emotion lane draws its branches as curves in one row)."""
        return self.tracks if lane in STEP_LANES and lane != EMOTION else 1

    def place(self, lane: str, cell: Placement) -> str:
        """A step cell's desktop row (and span, when it fills every track), as the
        custom properties the lane's own `--lane` is otherwise inherited from."""
        if self.lane_rows(lane) == 1:
            return ""
        if cell.fills:
            return f"; --lane: {self.lane_number(lane)}; --ls: {self.tracks}"
        return f"; --lane: {self.lane_number(lane) + cell.track}; --ls: 1"

    def offset(self, cell: Placement) -> str:
        """Emotion points of steps sharing a column stand side by side in it, each
        in its share of the column's width (`--n` shares)."""
        if cell.shared == 1:
            return ""
        return f"; --dx: {(cell.slot + 0.5) / cell.shared - 0.5:g}; --n: {cell.shared}"

    @property
    def geometry(self) -> str:
        """The emotion lane's measures as CSS custom properties: one source for the
        curve drawn here and the points CSS places."""
        return (
            f"--cjm-emotion-height: {EMOTION_LANE_HEIGHT}px; --cjm-level: {LEVEL_HEIGHT}px; "
            f"--cjm-lane-padding: {LANE_PADDING}px; --cjm-face: {FACE_SIZE}px"
        )

    @property
    def print_geometry(self) -> str:
        natural = PRINT_LABEL + PRINT_COLUMN * self.width
        zoom = min(1.0, PRINT_WIDTH / natural)
        return (
            f"--cjm-print-zoom: {zoom:.3f}; --cjm-print-label: {PRINT_LABEL}px; "
            f"--cjm-print-column: {PRINT_COLUMN}px"
        )

    def lane_number(self, lane: str) -> int:
        """First grid row of a lane on the desktop: row 1 holds the stage headers."""
        before = self.lanes[: self.lanes.index(lane)]
        return 2 + sum(self.lane_rows(other) for other in before)

    def row(self, lane: str, key: str | int) -> int:
        return self.phone_rows[(lane, key)]

    def level(self, score: int) -> int:
        """How many levels below the top a score's point sits (0 for the best)."""
        return EMOTION_MAX - score


def steps_in_map_order(journey: Journey) -> tuple[Step, ...]:
    """Steps stage by stage, in list order within a stage: the canvas's columns."""
    return tuple(step for stage in journey.stages for step in journey.steps_in(stage.id))


def lanes_filled(journey: Journey) -> tuple[str, ...]:
    """The lanes some step or stage of the journey fills; the steps lane always."""
    return tuple(
        lane.name
        for lane in LANE_TABLE
        if any(map(lane.fills, journey.stages if lane.per == "stage" else journey.steps))
        or lane.name == STEPS
    )


def build_canvas(journey: Journey) -> Canvas:
    layout = layout_branches(journey.stages, journey.steps)
    by_column: dict[int, list[Placement]] = {}
    for cell in sorted(layout.placements, key=lambda cell: cell.track):
        by_column.setdefault(cell.column, []).append(cell)
    columns: list[Column] = []
    spans: list[StageSpan] = []
    for number, (stage, count) in enumerate(zip(journey.stages, layout.stage_widths, strict=True)):
        band = number % 2
        spans.append(StageSpan(stage, len(columns), count, band))
        columns += [
            Column(
                position,
                stage,
                band,
                tuple(cell.step for cell in by_column.get(position, ())),
                position == spans[-1].first,
            )
            for position in range(len(columns), len(columns) + count)
        ]
    lanes = lanes_filled(journey)
    return Canvas(
        journey=journey,
        columns=tuple(columns),
        stages=tuple(spans),
        lanes=lanes,
        phone_rows=_phone_rows(spans, layout.placements, lanes),
        curve=emotion_curve(columns, spans, layout.runs) if EMOTION in lanes else "",
        cells=layout.placements,
        tracks=layout.tracks,
        gaps=_gaps(columns, layout) if layout.tracks > 1 else (),
    )


def _gaps(columns: list[Column], layout: BranchLayout) -> tuple[Gap, ...]:
    taken = {
        (cell.column, track)
        for cell in layout.placements
        for track in (range(layout.tracks) if cell.fills else (cell.track,))
    }
    # A run passes by the columns between two of its steps, on the track of the
    # one that does not fill its column (a fork or a join fills it).
    passing = {
        (column, then.track if first.fills else first.track)
        for run in layout.runs
        for first, then in itertools.pairwise(run)
        for column in range(first.column + 1, then.column)
    }
    return tuple(
        Gap(column, track, (column.position, track) in passing)
        for column in columns
        if column.steps
        for track in range(layout.tracks)
        if (column.position, track) not in taken
    )


def _phone_rows(
    spans: list[StageSpan], cells: tuple[Placement, ...], lanes: tuple[str, ...]
) -> dict[tuple[str, str | int], int]:
    """The timeline's order: each stage's header and goals, then each of its steps
    as a card (one row per step lane), then the stage's KPIs. A fork's branches
    follow it one after the other (either this, or that), then the step they join."""
    rows: dict[tuple[str, str | int], int] = {}
    counter = 0

    def next_row() -> int:
        nonlocal counter
        counter += 1
        return counter

    for span in spans:
        rows[("stage", span.stage.id)] = next_row()
        if GOALS in lanes:
            rows[(GOALS, span.stage.id)] = next_row()
        in_stage = sorted(
            (cell for cell in cells if cell.step.stage == span.stage.id),
            key=lambda cell: cell.phone_key,
        )
        keys: list[str | int] = [cell.order for cell in in_stage] or [span.stage.id]
        for key in keys:
            for lane in lanes:
                if lane in STEP_LANES:
                    rows[(lane, key)] = next_row()
        if KPIS in lanes:
            rows[(KPIS, span.stage.id)] = next_row()
    return rows


def point_centre(score: int) -> float:
    """Vertical centre of a score's face in the emotion lane, in CSS pixels."""
    return LANE_PADDING + (EMOTION_MAX - score) * LEVEL_HEIGHT + FACE_SIZE / 2


def emotion_curve(
    columns: list[Column], spans: list[StageSpan], runs: tuple[tuple[Placement, ...], ...]
) -> str:
    """The lines behind the emotion points, with a band per stage and a rule per level.

    Drawn in column units and stretched to the lane's width (`preserveAspectRatio=none`),
    so a vertex sits at the centre of its column (or of its share of a column its
    alternatives share) whatever width the columns get; the points themselves are
    HTML, centred in their grid cells, and are not stretched. One line per branch
    (`runs`): a branch's line leaves the fork's point and meets the join's.
    """
    width = len(columns) * _UNIT
    height = EMOTION_LANE_HEIGHT
    parts = [
        f'<svg class="cjm-map-curve" viewBox="0 0 {width} {height}" preserveAspectRatio="none" '
        # Decorative: the points carry the scores and words as text.
        f'aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">'
    ]
    for span in spans:
        parts.append(
            f'<rect class="cjm-map-band cjm-band-{span.band}" x="{span.first * _UNIT}" y="0" '
            f'width="{span.count * _UNIT}" height="{height}"/>'
        )
    for level in range(EMOTION_MIN, EMOTION_MAX + 1):
        y = point_centre(level)
        parts.append(
            f'<line class="cjm-map-rule cjm-map-rule-{level}" x1="0" y1="{y:g}" '
            f'x2="{width}" y2="{y:g}"/>'
        )
    for run in runs:
        # Unrated steps (and stages without steps) break the line rather than pretend.
        pieces: list[list[str]] = [[]]
        for cell in run:
            if cell.step.emotion is None:
                pieces.append([])
            else:
                x = (cell.column + (cell.slot + 0.5) / cell.shared) * _UNIT
                pieces[-1].append(f"{x:g},{point_centre(cell.step.emotion):g}")
        # A line through steps off the first track is a branch's: drawn dashed,
        # so the main line and the alternatives read apart where they cross.
        off_main = any(cell.track for cell in (run[1:-1] or run))
        kind = "cjm-map-line cjm-map-line-branch" if off_main else "cjm-map-line"
        for piece in pieces:
            if len(piece) > 1:
                parts.append(f'<polyline class="{kind}" points="{" ".join(piece)}"/>')
    parts.append("</svg>")
    return "\n".join(parts)


@dataclass(frozen=True)
class BelowTarget:
    stage: Stage
    kpis: tuple[Kpi, ...]


@dataclass(frozen=True)
class KeyMoments:
    """What a manager reads first: the worst moments, the KPIs that miss, the pain."""

    lowest: tuple[Step, ...]
    below_target: tuple[BelowTarget, ...]
    pain_points: int
    steps_with_pain: int


LOWEST_SHOWN = 3


def key_moments(journey: Journey) -> KeyMoments:
    ordered = steps_in_map_order(journey)
    rated = [step for step in ordered if step.emotion is not None]
    # Lowest first; a tie keeps the journey's order. Only moments below neutral
    # count as "worst" unless the journey has none, then its lowest still show.
    rated.sort(key=lambda step: step.emotion or 0)
    negative = [step for step in rated if (step.emotion or 0) < 3]
    lowest = tuple((negative or rated)[:LOWEST_SHOWN])
    below = tuple(
        BelowTarget(stage, kpis)
        for stage in journey.stages
        if (kpis := tuple(kpi for kpi in stage.kpis if kpi.status is KpiStatus.BELOW))
    )
    with_pain = [step for step in journey.steps if step.pain_points]
    return KeyMoments(
        lowest=lowest,
        below_target=below,
        pain_points=sum(len(step.pain_points) for step in with_pain),
        steps_with_pain=len(with_pain),
    )
