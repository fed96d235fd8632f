"""KPI values from data files: `maps/metrics/*.csv` -> each KPI's series and latest `actual`.

A metrics file is what a BI tool exports: UTF-8 (a BOM is fine), comma-separated,
any line ends, the header `journey,stage,kpi,date,value`, one measurement a row.
Every bad row is reported with its file, line and column, like the YAML errors,
and the maps themselves are never changed: the data is merged into the model.

The common path is Python's C `csv` reader and a few dictionary look-ups per row,
so a 100,000-row file costs a fraction of a second (benchmarks/metrics.py);
column positions are worked out only for the rows that have an error.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from .model import Journey, Kpi, Measurement, Playbook, Stage, parse_measure
from .problems import Problem, Severity, did_you_mean

METRICS_DIR = "metrics"
COLUMNS = ("journey", "stage", "kpi", "date", "value")
# Series longer than this show their latest points in the trend chart.
TREND_POINTS = 60

_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ][\d:.+\-Z]*)?")
# A plain number (1.4, 1,4, 1.000.000, -3) with an optional percent sign.
_VALUE = re.compile(r"[-+]?\d[\d.,]*\s*%?")
_NUMBER_IN_TEXT = re.compile(r"[-+]?\d[\d.,]*\d|[-+]?\d")


@functools.lru_cache(maxsize=4096)  # dates repeat: one a month per KPI
def _parse_date(text: str) -> date | None:
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None


def parse_value(text: str) -> float | None:
    """A metrics value: a number, with `.` or `,` as the decimal mark, and maybe `%`."""
    if _VALUE.fullmatch(text) is None:
        return None
    measure = parse_measure(text)
    return None if measure is None else measure[0]


def shown_value(value_text: str, target: str | None) -> str:
    """The value as the KPI table shows it: in the target's unit when the data has none
    (`0.9` for a target of `90%` stays 0.9; `72` for `90%` becomes `72%`)."""
    if target is None or not any(char.isdigit() for char in target):
        return value_text
    if value_text.endswith("%") or _NUMBER_IN_TEXT.search(target) is None:
        return value_text
    return _NUMBER_IN_TEXT.sub(lambda _match: value_text, target, count=1)


@dataclass
class _Series:
    measurements: dict[date, tuple[Measurement, int]] = field(default_factory=dict)
    first: tuple[str, int] = ("", 0)  # file and line of the first row


@dataclass
class _Target:
    """A KPI of a stage, and how rows name it (its id or its name)."""

    journey: Journey
    stage: Stage
    kpi: Kpi


def _field_columns(line: str) -> list[int]:
    """1-based column where each field of one CSV line starts (quotes understood)."""
    columns = [1]
    quoted = False
    index = 0
    while index < len(line):
        char = line[index]
        if char == '"':
            if quoted and index + 1 < len(line) and line[index + 1] == '"':
                index += 1
            else:
                quoted = not quoted
        elif char == "," and not quoted:
            columns.append(index + 2)
        index += 1
    return columns


class _MetricsFile:
    def __init__(self, display: str, journeys: dict[str, Journey], declared: Collection[str]):
        self.display = display
        self.journeys = journeys
        self.declared = declared  # journey ids, including journeys with errors of their own
        self.problems: list[Problem] = []
        self.lines: list[str] = []
        # Where each of COLUMNS is in this file's rows (the header may order them otherwise).
        self.order: list[int] = list(range(len(COLUMNS)))

    def add(
        self,
        line: int,
        field_index: int,
        message: str,
        suggestion: str | None = None,
        severity: Severity = Severity.ERROR,
        *,
        key: str | None = None,
    ) -> None:
        column = 1
        if 0 < line <= len(self.lines):
            columns = _field_columns(self.lines[line - 1].lstrip("\ufeff"))
            position = self.order[field_index] if key is None else field_index
            column = columns[min(position, len(columns) - 1)] if position >= 0 else 1
        if key is None:
            key = COLUMNS[field_index] if 0 <= field_index < len(COLUMNS) else ""
        self.problems.append(
            Problem(self.display, line, column, key, message, severity, suggestion)
        )

    def read(self, data: bytes, series: dict[tuple[str, str, int], _Series]) -> None:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
            self.problems.append(
                Problem(
                    self.display,
                    line,
                    column,
                    "",
                    "the file is not UTF-8 text",
                    suggestion="export it again as CSV UTF-8",
                )
            )
            return
        self.lines = list(io.StringIO(text, newline=""))
        reader = csv.reader(self.lines)
        header: list[str] | None = None
        previous_end = 0
        for record in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not record or all(not cell.strip() for cell in record):
                continue
            if header is None:
                header = [cell.strip().lower() for cell in record]
                order = self.header(header, start)
                if order is None:
                    return
                self.order = order
                continue
            self.row(record, self.order, start, series)

    def header(self, header: list[str], line: int) -> list[int] | None:
        """Position of each of COLUMNS in the file's header; None if one is missing."""
        missing = [name for name in COLUMNS if name not in header]
        if not missing:
            return [header.index(name) for name in COLUMNS]
        unknown = [name for name in header if name not in COLUMNS]
        for name in missing:
            near = did_you_mean(name, unknown)
            position = header.index(near.split("'")[1]) if near else len(header)
            self.problems.append(
                Problem(
                    self.display,
                    line,
                    _field_columns(self.lines[line - 1].lstrip("\ufeff"))[
                        min(position, len(header) - 1)
                    ],
                    "",
                    f"the header has no column '{name}'; expected the columns "
                    f"{','.join(COLUMNS)}",
                    suggestion=(
                        near.replace("did you mean", "is it") if near else f"add a column '{name}'"
                    ),
                )
            )
        return None

    def row(
        self,
        record: list[str],
        order: list[int],
        line: int,
        series: dict[tuple[str, str, int], _Series],
    ) -> None:
        if len(record) <= max(order):
            self.add(
                line,
                len(record) - 1,
                f"expected {len(COLUMNS)} values ({','.join(COLUMNS)}), found {len(record)}",
                "check the separators: values are separated by commas; "
                "quote a value that contains one",
                key="",
            )
            return
        journey_id, stage_id, kpi_name, date_text, value_text = (
            record[index].strip() for index in order
        )
        journey = self.journeys.get(journey_id)
        if journey is None:
            if journey_id not in self.declared:
                names = sorted(self.declared)
                self.add(
                    line,
                    0,
                    f"unknown journey '{journey_id}'; expected a journey id from journeys/",
                    did_you_mean(journey_id, names),
                )
            return
        stage = next((s for s in journey.stages if s.id == stage_id), None)
        if stage is None:
            names = [s.id for s in journey.stages]
            self.add(
                line,
                1,
                f"unknown stage '{stage_id}' in the journey '{journey_id}'; "
                f"expected one of: {', '.join(names)}",
                did_you_mean(stage_id, names),
            )
            return
        kpi_index = _find_kpi(stage, kpi_name)
        if kpi_index is None:
            names = [name for kpi in stage.kpis for name in (kpi.id, kpi.name) if name]
            expected = (
                f"expected the id or name of a KPI of the stage '{stage_id}'"
                + (f" ({', '.join(repr(name) for name in names)})" if names else "")
                if stage.kpis
                else f"the stage '{stage_id}' of '{journey_id}' has no KPIs"
            )
            self.add(
                line,
                2,
                f"unknown KPI '{kpi_name}'; {expected}",
                did_you_mean(kpi_name, names)
                or (None if stage.kpis else f"add it under stages[].kpis in {journey.source.path}"),
            )
            return
        when = _parse_date(date_text)
        if when is None:
            self.add(
                line,
                3,
                f"'{date_text}' is not a date; expected a date written YYYY-MM-DD",
                "write it like 2026-10-01",
            )
            return
        number = parse_value(value_text)
        if number is None:
            self.add(
                line,
                4,
                f"'{value_text}' is not a number; expected a number such as 1.4, 1,4 or 72%",
            )
            return
        key = (journey_id, stage_id, kpi_index)
        found = series.get(key)
        if found is None:
            found = series[key] = _Series(first=(self.display, line))
        earlier = found.measurements.get(when)
        if earlier is not None:
            self.add(
                line,
                3,
                f"a second value for '{kpi_name}' on {when.isoformat()}; "
                f"the first is on line {earlier[1]}",
                "keep one row per KPI and date",
            )
            return
        found.measurements[when] = (Measurement(when, number, value_text), line)


def _find_kpi(stage: Stage, name: str) -> int | None:
    for index, kpi in enumerate(stage.kpis):
        if kpi.id == name:
            return index
    for index, kpi in enumerate(stage.kpis):
        if kpi.name == name:
            return index
    return None


def metrics_files(maps_dir: Path) -> list[Path]:
    folder = maps_dir / METRICS_DIR
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if path.suffix == ".csv" and path.is_file())


def apply_metrics(
    playbook: Playbook,
    files: Iterable[tuple[str, bytes]],
    declared_journeys: Collection[str],
) -> tuple[Playbook, list[Problem]]:
    """The playbook with each KPI's data from the files (display name, content) merged in."""
    journeys = playbook.journey_by_id
    series: dict[tuple[str, str, int], _Series] = {}
    problems: list[Problem] = []
    for display, data in files:
        reader = _MetricsFile(display, journeys, set(declared_journeys) | set(journeys))
        reader.read(data, series)
        problems += reader.problems
    if not series:
        return playbook, problems
    updated: list[Journey] = []
    for journey in playbook.journeys:
        stages = []
        for stage in journey.stages:
            kpis = []
            for index, kpi in enumerate(stage.kpis):
                found = series.get((journey.id, stage.id, index))
                if found is None:
                    kpis.append(kpi)
                    continue
                measurements = tuple(
                    measurement for _, (measurement, _line) in sorted(found.measurements.items())
                )
                latest = measurements[-1]
                if kpi.actual is not None:
                    file, line = found.first
                    problems.append(
                        Problem(
                            file,
                            line,
                            1,
                            "",
                            f"the KPI '{kpi.name}' ({journey.id}, stage {stage.id}) has values "
                            f"in this file and also 'actual: {kpi.actual}' in "
                            f"{journey.source.path}; the latest value from the data is shown "
                            f"({latest.text}, {latest.date.isoformat()})",
                            Severity.WARNING,
                            f"remove 'actual' from the KPI in {journey.source.path}",
                        )
                    )
                kpis.append(
                    replace(
                        kpi,
                        actual=shown_value(latest.text, kpi.target),
                        series=measurements,
                    )
                )
            stages.append(replace(stage, kpis=tuple(kpis)))
        updated.append(replace(journey, stages=tuple(stages)))
    return replace(playbook, journeys=tuple(updated)), problems
