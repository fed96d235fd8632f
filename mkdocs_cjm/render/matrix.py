"""The stage x touchpoint matrix: touchpoints grouped by channel, one column per stage."""

from __future__ import annotations

from dataclasses import dataclass

from mkdocs_cjm.core.model import Channel, Journey, Playbook, Step


@dataclass(frozen=True)
class MatrixRow:
    touchpoint: str
    cells: tuple[tuple[Step, ...], ...]  # one per stage, in stage order


@dataclass(frozen=True)
class ChannelGroup:
    channel: Channel
    rows: tuple[MatrixRow, ...]


def build_matrix(journey: Journey, playbook: Playbook) -> tuple[ChannelGroup, ...]:
    """Channels and their touchpoints in the order the journey first meets them."""
    stage_ids = [stage.id for stage in journey.stages]
    touchpoints: dict[str, dict[str, list[list[Step]]]] = {}
    for step in journey.steps:
        rows = touchpoints.setdefault(step.channel, {})
        cells = rows.setdefault(step.touchpoint, [[] for _ in stage_ids])
        cells[stage_ids.index(step.stage)].append(step)
    return tuple(
        ChannelGroup(
            channel=playbook.channel_by_id[channel_id],
            rows=tuple(
                MatrixRow(touchpoint, tuple(tuple(cell) for cell in cells))
                for touchpoint, cells in rows.items()
            ),
        )
        for channel_id, rows in touchpoints.items()
    )
