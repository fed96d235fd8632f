"""The KPI board, `<prefix>/kpis/`: every KPI of every journey with its status,
below target first, totals at the top."""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from mkdocs_cjm.core.measure import KpiStatus
from mkdocs_cjm.core.model import Journey, Kpi, Measurement, Playbook, Stage, stage_data
from mkdocs_cjm.core.pages import PageRef
from mkdocs_cjm.site.base import SiteBase
from mkdocs_cjm.site.output import LazyPage

KIND = "kpis"

# What needs attention first: below target, then values that cannot be compared,
# then KPIs without data, then those on target.
STATUS_ORDER = (KpiStatus.BELOW, KpiStatus.INCOMPARABLE, KpiStatus.UNKNOWN, KpiStatus.MET)


@dataclass(frozen=True)
class KpiRow:
    journey: Journey
    stage: Stage
    kpi: Kpi


@dataclass(frozen=True)
class StatusGroup:
    status: KpiStatus
    rows: tuple[KpiRow, ...]


@dataclass(frozen=True)
class JourneyKpis:
    """A journey's row on the board: its title, and its stages with KPIs (with the
    KPIs' data series, which equality of stages leaves out)."""

    journey: str
    title: str
    stages: tuple[tuple[Stage, tuple[tuple[Measurement, ...], ...]], ...]


def rows(journey: Journey) -> JourneyKpis:
    return JourneyKpis(
        journey.id, journey.title, tuple(stage_data(st) for st in journey.stages if st.kpis)
    )


def board(playbook: Playbook) -> list[StatusGroup]:
    """Every KPI once, grouped by status in `STATUS_ORDER`, in playbook order within."""
    return board_of(playbook, [rows(journey) for journey in playbook.journeys])


def board_of(playbook: Playbook, journey_rows: Iterable[JourneyKpis]) -> list[StatusGroup]:
    """The board of the journeys' rows."""
    grouped: dict[KpiStatus, list[KpiRow]] = {status: [] for status in STATUS_ORDER}
    for row in journey_rows:
        journey = playbook.journey_by_id[row.journey]
        for stage, _ in row.stages:
            for kpi in stage.kpis:
                grouped[kpi.status].append(KpiRow(journey, stage, kpi))
    return [StatusGroup(status, tuple(grouped[status])) for status in STATUS_ORDER]


# Past this many KPIs the board keeps the totals and the KPIs below target, and
# every other status gets a page of its own (`<prefix>/kpis/<status>/`): thousands
# of rows on one page would pass 2 MB.
SPLIT_OVER = 2000


def context(generator: SiteBase, journey_rows: Sequence[Hashable]) -> Mapping[str, Any]:
    """The board, from the journeys' rows (`rows`)."""
    groups = board_of(generator.playbook, cast("Sequence[JourneyKpis]", journey_rows))
    total = sum(len(group.rows) for group in groups)
    split = total > SPLIT_OVER
    return {
        "status_groups": groups,
        "shown_groups": [g for g in groups if g.status is KpiStatus.BELOW] if split else groups,
        "total": total,
        "split": split,
        "part": False,
    }


def status_pages(generator: SiteBase) -> Iterator[LazyPage]:
    groups = board(generator.playbook)
    if sum(len(group.rows) for group in groups) <= SPLIT_OVER:
        return
    names = {
        KpiStatus.MET: "on_target",
        KpiStatus.INCOMPARABLE: "kpi_incomparable",
        KpiStatus.UNKNOWN: "no_status",
    }
    for group in groups:
        if group.status is KpiStatus.BELOW or not group.rows:
            continue
        title = f"{generator.labels['kpi_board']}: {generator.labels[names[group.status]]}"
        # Each status page also counts the other statuses' KPIs: it shows every journey.
        yield generator.lazy_item(
            "kpis.md.j2",
            PageRef(KIND, group.status.value),
            title,
            frozenset(journey.id for journey in generator.playbook.journeys),
            functools.partial(_status_context, generator, group.status, title),
            rows,
        )


def _status_context(generator: SiteBase, status: KpiStatus, title: str) -> Mapping[str, Any]:
    """A status page, from the rows of every journey."""
    groups = board_of(generator.playbook, generator.rows_of(rows))
    (group,) = [g for g in groups if g.status is status]
    return {
        "status_groups": groups,
        "shown_groups": [group],
        "total": sum(len(g.rows) for g in groups),
        "split": True,
        "part": True,
        "part_title": title,
    }
