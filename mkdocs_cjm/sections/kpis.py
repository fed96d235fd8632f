"""The KPI board, `<prefix>/kpis/`: every KPI of every journey with its status,
below target first, totals at the top."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mkdocs_cjm.core.measure import KpiStatus
from mkdocs_cjm.core.model import Journey, Kpi, Playbook, Stage, stage_data
from mkdocs_cjm.core.pages import PageRef

if TYPE_CHECKING:
    from mkdocs_cjm.site.generate import LazyPage, SiteGenerator

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


def board(playbook: Playbook) -> list[StatusGroup]:
    """Every KPI once, grouped by status in `STATUS_ORDER`, in playbook order within."""
    rows: dict[KpiStatus, list[KpiRow]] = {status: [] for status in STATUS_ORDER}
    for journey in playbook.journeys:
        for stage in journey.stages:
            for kpi in stage.kpis:
                rows[kpi.status].append(KpiRow(journey, stage, kpi))
    return [StatusGroup(status, tuple(rows[status])) for status in STATUS_ORDER]


# Past this many KPIs the board keeps the totals and the KPIs below target, and
# every other status gets a page of its own (`<prefix>/kpis/<status>/`): thousands
# of rows on one page would pass 2 MB.
SPLIT_OVER = 2000


def context(generator: SiteGenerator) -> Mapping[str, Any]:
    groups = board(generator.playbook)
    total = sum(len(group.rows) for group in groups)
    split = total > SPLIT_OVER
    return {
        "status_groups": groups,
        "shown_groups": [g for g in groups if g.status is KpiStatus.BELOW] if split else groups,
        "total": total,
        "split": split,
        "part": False,
    }


def status_pages(generator: SiteGenerator) -> Iterator[LazyPage]:
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
            functools.partial(_status_context, groups, group, title),
            shown,
        )


def _status_context(groups: list[StatusGroup], group: StatusGroup, title: str) -> Mapping[str, Any]:
    return {
        "status_groups": groups,
        "shown_groups": [group],
        "total": sum(len(g.rows) for g in groups),
        "split": True,
        "part": True,
        "part_title": title,
    }


def shown(journey: Journey) -> object:
    """What the KPI board shows of a journey: its title, and its stages with KPIs."""
    return journey.id, journey.title, tuple(stage_data(st) for st in journey.stages if st.kpis)
